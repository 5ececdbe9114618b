"""Business-registration (工商登记) extracts: firm keys and free-text addresses.

:mod:`yrd.registration.keys` validates the three generations of firm keys (unified social
credit code, registration number, organisation code); :mod:`yrd.registration.address` parses
free-text addresses to county codes of the harmonised vintage; :mod:`yrd.registration.ingest`
reads, validates and reconciles change and investment records (with
:mod:`yrd.registration.dialects`, :mod:`yrd.registration.parse` and :mod:`yrd.registration.rows`).
"""
