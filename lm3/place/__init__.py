"""Placing: matching suppliers to a register, typing them, and placing suppliers and staff by postcode in
the area. A sibling of ``inputs`` and ``rounds``."""
