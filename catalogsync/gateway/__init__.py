"""The Stripe gateway: the only package (with the emulator) that imports `stripe`."""
