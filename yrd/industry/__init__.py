"""GB/T 4754 industry codes: the 2002 divisions, crosswalks to the 2002 vintage, industry classes.

China's industrial classification (国民经济行业分类, GB/T 4754) changed twice during the Annual
Survey of Industrial Firms (ASIF): firm records carry GB/T 4754-1994 codes before 2003,
GB/T 4754-2002 codes in 2003-2011 and GB/T 4754-2011 codes from 2012 (see
:func:`industry_vintage`). Every industry statistic of the pipeline is computed on the 30
two-digit manufacturing divisions (大类) of GB/T 4754-2002 (codes 13-43; 2002 has no 38).

Sources (copied unchanged to ``resources/industry/``, provenance in its ``README.md``). Every
function that needs one takes it as an argument (its path, or the table already read); the
rules declare the files as inputs:

* crosswalks at four digits from github.com/robin621/gbcrosswalk (MIT, commit 58869bf):
  ``gbcrosswalk_gb_1994_2002.csv`` (built from the NBS 1994/2002 对照表) and
  ``gbcrosswalk_gb_2002_2011.csv`` (built from the NBS table 国民经济行业分类新旧类目对照表,
  GB/T 4754-2011 vs 2002), ``gbcrosswalk_gb_2002_isic3.csv`` (GB/T 4754-2002 -> ISIC Rev.3);
* the 2002 four-digit names and the 2011 two-digit names extracted from the NBS table.

Crosswalk rules (documented choices)
------------------------------------
Only the four-digit (小类) pairs of a source are used; coarser levels are derived from them.

* 1994 -> 2002: a 1994 class mapped to ``n`` 2002 classes gives each weight ``1/n``
  (``rule == "split_equal"``; ``"unique"`` when ``n == 1``). Eight pairs of the gbcrosswalk
  file are replaced first (:func:`crosswalk_corrections`): its source table carries
  electrical-machinery codes (1994 4011, 4012, 4013, 4043) and a truncated code (``412``)
  where GB/T 4754-1994 has the electronics classes 4111, 4112, 4113, 4143 and 4172, and a
  2002 code 3515 that does not exist in GB/T 4754-2002 (1994 3515 内燃机零部件及配件制造业 ->
  2002 3512 内燃机及配件制造).
* 2011 -> 2002: the inverse of the 2002 -> 2011 table. Each 2002 class is assumed to split
  equally over its ``k`` 2011 classes, so a 2011 class ``t`` fed by 2002 classes ``s`` gets
  weights ``(1/k_s) / sum(1/k_s')`` (``"split_inverse"``): a 2002 class that moved whole into
  ``t`` weighs more than one of which ``t`` received a fifth.
* 2002 -> 2002: identity over the 2002 codes of the NBS name list.
* Two- and three-digit levels: a source code's weight on a target code is the mean over the
  source code's four-digit children (equal weight per child) of the children's weights on
  that target (``"children_share"``; ``"unique"`` if all children go to one target).
* Deterministic single assignment (``primary``): for each source code the target with the
  largest weight, ties to the lowest target code. :func:`harmonise_industry_codes` applies
  the same rule to the weights summed by 2002 division. With no split children this is the
  rule "the 2002 division receiving most of the source division's four-digit children".
  A tie between divisions for a three- or four-digit code goes to the division of the
  code's two-digit parent if that is among the tied (1994 2673 -> 2002 2039 / 2663 gives
  26 as 1994 26 does), else to the lowest code.

Every source code with more than one target is listed by :func:`many_to_many` (committed as
``resources/industry/many_to_many.csv``) with the division it is harmonised to.

The crosswalk functions take the source tables as one :class:`Crosswalks` object, read by
:func:`load_crosswalks` from the NBS 2002 name list and the two gbcrosswalk files.

Modules: :mod:`yrd.industry.codes` (reference tables of codes and names, vintages),
:mod:`yrd.industry.crosswalks` (crosswalks and harmonisation to the 2002 divisions),
:mod:`yrd.industry.classes` (factor-intensity rule and relocation classes),
:mod:`yrd.industry.national` (China's national employment by 2002 division, real data from
ionet, which the synthetic world's entrants follow); the public names are re-exported here.

Industry classes (``resources/industry/classes.csv``, sources in each row)
-------------------------------------------------------------------------
* ``factor_intensity``: ``technology`` if at least half of the division's four-digit classes
  (equal weights, a class mapped to several ISIC classes split equally) map to ISIC Rev.3
  industries that the OECD classifies as high- or medium-high-technology (OECD STI
  Scoreboard, ISIC Rev.3 technology-intensity definition; Hatzichronoglou 1997); otherwise
  ``capital`` if at least half map to the bulk-material process industries ISIC Rev.3 16,
  21, 23, 26, 27 (tobacco, pulp and paper, coke and refined petroleum, non-metallic mineral
  products, basic metals) - a project rule, not a published classification; otherwise
  ``labour``. :func:`factor_intensity_rule` recomputes it and a test keeps the table equal.
* ``port_type`` (港口型), a project rule: divisions whose main inputs are bulk cargo landed
  by sea or the Yangtze (crude oil: 25, 26; iron ore and coking coal: 32) and 37 for
  shipbuilding; supporting evidence (YRD ports symposium 2006, Fujian's 2006 临港 industry
  list) in ``resources/industry/README.md``.
* ``urban_type`` (都市型工业): the industries named by the Shanghai Economic Commission's 1998
  《都市型工业园区、楼宇认定标准》 (clothing, food manufacturing, printing and packaging, arts and
  crafts, tourist and fitness goods, watches and glasses, electronic assembly), mapped by the
  project to 14, 18, 23, 24, 40, 41, 42.
"""

from yrd.industry.classes import (
    CAPITAL_ISIC3_DIVISIONS,
    RELOCATION_CLASSES,
    factor_intensity_rule,
    isic_shares,
    oecd_technology_group,
    relocation_class,
)
from yrd.industry.codes import (
    FACTOR_CLASSES,
    MANUFACTURING_2002,
    TARGET_VINTAGE,
    VINTAGES,
    industries,
    industry_classes,
    industry_vintage,
    names_2002_4digit,
    names_2011_2digit,
    normalise_industry_codes,
)
from yrd.industry.crosswalks import (
    Crosswalks,
    crosswalk,
    crosswalk_corrections,
    harmonise_industry_codes,
    load_crosswalks,
    many_to_many,
    write_many_to_many,
)
from yrd.industry.national import division_shares_by_year, national_division_employment

__all__ = [
    "CAPITAL_ISIC3_DIVISIONS",
    "FACTOR_CLASSES",
    "MANUFACTURING_2002",
    "RELOCATION_CLASSES",
    "TARGET_VINTAGE",
    "VINTAGES",
    "Crosswalks",
    "crosswalk",
    "crosswalk_corrections",
    "division_shares_by_year",
    "factor_intensity_rule",
    "harmonise_industry_codes",
    "industries",
    "industry_classes",
    "industry_vintage",
    "isic_shares",
    "load_crosswalks",
    "many_to_many",
    "names_2002_4digit",
    "names_2011_2digit",
    "national_division_employment",
    "normalise_industry_codes",
    "oecd_technology_group",
    "relocation_class",
    "write_many_to_many",
]
