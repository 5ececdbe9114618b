"""Figures of the paper's claims (rules in workflow/rules/report.smk; captions in workflow/report/).

Modules, one per figure family; every function takes plain tables or, for the claim figures
(C1-C6), the claim document ``claims/cN.json`` (:mod:`yrd.claims.document`), and returns a finished
Matplotlib figure (title, source line and, for synthetic input, a SYNTHETIC DATA mark):

common          header/footer, synthetic mark, bilingual labels (classes, provinces, industries), save
concentration   C1: concentration and specialisation against integration, fitted quadratic
flows           counterfactual distance scenarios of the gravity model
relocation_rates C2: Shanghai's moves per firm at risk by class; C3: Zhejiang firms' moves per firm
                at risk and mutual migration among Shanghai, Jiangsu, Zhejiang
maps            C7: location-quotient maps; mapclassify class breaks
flow_map        flow map of Shanghai's outflows: the C2 window and the other years, corridor zoom
flow_selection  what the flow map draws: rates, drawn/not drawn, classes, label set
label_placement map labels that do not collide (greedy candidate positions)
similarity      C5: structural similarity heatmaps and the mean over time
integration     C4: market segmentation and the six-dimension profile (only with configured data)
eu              C6: EU disparities in 2002 at market exchange rates and PPP; Italy's regional gap
kdensity        C7: Duranton-Overman K-densities of a localised and a dispersed industry
calibration     the synthetic world against real aggregates (synthetic runs only; not a claim)

The claim figures draw and print only numbers of their claim document, written by rule claims
from :mod:`yrd.claims` (nothing is refitted in a figure), so a figure and its verdict agree
(checked by tests/test_claim_figures.py).
Fonts: call :func:`yrd.plotting.setup_fonts` first and pass its result as ``cjk``.
"""
