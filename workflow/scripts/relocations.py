"""Rule relocations: moves between consecutive observations of linked firms (yrd.relocations),
over the firm-years inside and outside the study area; moves with one end outside are kept and
flagged (yrd.study_area), moves with both ends outside are counted here and not kept."""

import pandas as pd

from yrd.logs import configure_logging
from yrd.relocations import detect_relocations, read_records
from yrd.study_area import flag_moves, study_area_prefectures

smk = snakemake  # noqa: F821
log = configure_logging(smk)
firm_years = read_records(smk.input.firm_years)  # the columns detect_relocations reads
outside = read_records(smk.input.outside)
if len(outside):
    firm_years = pd.concat([firm_years, outside], ignore_index=True).sort_values(
        ["firm_id", "year", "source_file", "source_row"], kind="stable", ignore_index=True
    )
moves = detect_relocations(firm_years, level=smk.params.level, screen_blips=smk.params.screen_blips)
codes = study_area_prefectures(smk.params.study_area, smk.input.prefectures)
moves = flag_moves(moves, codes)
elsewhere = ~moves["origin_in_study_area"] & ~moves["dest_in_study_area"]
moves = moves[~elsewhere].reset_index(drop=True)
moves.to_parquet(smk.output[0], index=False)
log.info("%d moves at the %s level; by kind: %s", len(moves), smk.params.level, moves["kind"].value_counts().to_dict())
log.info(
    "study area %s: %d moves out of it, %d into it kept; %d moves with both ends outside not kept",
    smk.params.study_area,
    int((moves["origin_in_study_area"] & ~moves["dest_in_study_area"]).sum()),
    int((~moves["origin_in_study_area"] & moves["dest_in_study_area"]).sum()),
    int(elsewhere.sum()),
)
