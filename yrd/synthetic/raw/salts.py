"""Salts of the raw layer's hash draws (:func:`yrd.synthetic.identity.uniform`).

One salt per independent draw, kept in one place so that no two draws share one. The numbers
are arbitrary but fixed: changing one changes the synthetic world.
"""

COUNTY, INDUSTRY = 11, 12  # raw county / industry code among the candidates
REISSUE, REISSUE_YEAR, REUSE = 13, 14, 15  # firm code reissued (and from when), code reused
RENAME, RENAME_YEAR = 16, 17  # permanent rename (and from when)
REP, REP_YEAR = 18, 19  # legal representative change (and from when)
PHONE, PHONE_YEAR, MOVE_PHONE = 20, 21, 22  # phone change without a move (and when), new phone on a move
PLACE, WORD, FORM, PAREN = 23, 24, 25, 26  # parts of a firm name
VARIANT, VARIANT_KIND = 27, 28  # name written differently in a firm-year (and how)
ADDRESS = 29  # street address of a location spell
HEADER, COLUMNS = 30, 31  # header choice and column order of a year's file
TRADE = 32  # trade-name characters
