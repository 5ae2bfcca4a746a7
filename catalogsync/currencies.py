"""The currencies Stripe accepts, and how catalogsync spells a currency code.

`SUPPORTED` is Stripe's list of presentment currencies, transcribed from
https://docs.stripe.com/currencies#presentment-currencies (lower-case ISO 4217
codes, as the API writes them): the currencies a price, coupon or promotion
code may name. Stripe refuses any other code with 400 "Invalid currency: eru"
naming the parameter. Both `validate` and the emulator refuse from this list.
The docs change now and then (SLE beside SLL, XCG beside ANG; HRK went with
Croatia's move to the euro): a code Stripe has retired may still be listed
here, which errs on the side of not refusing a currency Stripe still takes.
This module is the one place to change when Stripe's list does.

Stripe's API takes codes in lower case; catalogsync also accepts them in
upper case (``USD``, as ISO 4217 writes them) and normalises them.
"""

from __future__ import annotations

SOURCE = "https://docs.stripe.com/currencies#presentment-currencies"

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


def normalise(code: str) -> str:
    """The spelling Stripe's API uses: ``USD`` -> ``usd``."""
    return code.lower()


def is_supported(code: str) -> bool:
    """Whether Stripe accepts ``code`` (in either case) as a currency."""
    return normalise(code) in SUPPORTED
