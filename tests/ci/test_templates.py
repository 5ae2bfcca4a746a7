"""This repository's catalog workflows are the ones `init` writes, installing from source."""

from __future__ import annotations

import pytest

from catalogsync import __version__
from catalogsync.ci.templates import WORKFLOWS, install_requirement, render_workflow
from tests.ci.runner import WORKFLOWS as OWN_WORKFLOWS


@pytest.mark.parametrize("name", WORKFLOWS)
def test_own_workflow_is_the_template_installing_this_checkout(name: str) -> None:
    rendered = render_workflow(name, __version__)
    assert rendered.count(install_requirement(__version__)) >= 1
    own = rendered.replace(install_requirement(__version__), ".")
    assert (OWN_WORKFLOWS / name).read_text() == own


def test_rendered_workflows_pin_the_version_and_call_catalogsync_ci() -> None:
    for name in WORKFLOWS:
        text = render_workflow(name, "9.8.7")
        assert "__VERSION__" not in text
        assert 'python -m pip install --quiet "catalogsync==9.8.7"' in text
        assert "catalogsync ci " in text
