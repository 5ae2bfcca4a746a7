"""The currencies Stripe accepts for prices and coupons (its presentment currencies).

Source: docs.stripe.com/currencies, "Supported presentment currencies" (lower-case ISO 4217
codes, as the API writes them). Stripe refuses any other code with 400 "Invalid currency: eru"
naming the parameter. The docs list changes now and then (SLE beside SLL, XCG beside ANG): a
code retired by Stripe may still be listed here, and that errs on the side of not refusing a
currency that Stripe still takes.
"""

from __future__ import annotations

SUPPORTED = frozenset(
    """
    aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bhd bif bmd bnd bob brl bsd bwp
    byn bzd cad cdf chf clp cny cop crc cve czk djf dkk dop dzd egp etb eur fjd fkp gbp gel
    gip gmd gnf gtq gyd hkd hnl htg huf idr ils inr isk jmd jod jpy kes kgs khr kmf krw kwd
    kyd kzt lak lbp lkr lrd lsl mad mdl mga mkd mmk mnt mop mur mvr mwk mxn myr mzn nad ngn
    nio nok npr nzd omr pab pen pgk php pkr pln pyg qar ron rsd rub rwf sar sbd scr sek sgd
    shp sle sll sos srd std szl thb tjs tnd top try ttd twd tzs uah ugx usd uyu uzs vnd vuv
    wst xaf xcd xcg xof xpf yer zar zmw
    """.split()
)


def is_supported(code: str) -> bool:
    """Whether Stripe accepts `code` (any case: the API lower-cases it)."""
    return code.lower() in SUPPORTED
