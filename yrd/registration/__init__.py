"""Business-registration (工商登记) extracts: firm keys and free-text addresses.

:mod:`yrd.registration.keys` validates the three generations of firm keys (unified social
credit code, registration number, organisation code); :mod:`yrd.registration.address` parses
free-text addresses to county codes of the harmonised vintage.
"""
