"""The shared core of firm linking: prepared records, the passes, mutual best matches and
firm ids.

Sequential deterministic linking of firm records across years, after Brandt, Van
Biesebroeck and Zhang (2012, "Creative accounting or creative destruction? Firm-level
productivity growth in Chinese manufacturing", Journal of Development Economics 97(2),
339-351, and their online appendix), with one corroboration rule added (below). Both
residual steps of :func:`yrd.linking.bvz.link_records` (:data:`yrd.linking.bvz.RESIDUAL_STEPS`:
``rapidfuzz``, all passes below; ``splink``, the exact passes then a Splink model,
:mod:`yrd.linking.splink_linker`) are built from the pieces of this module, and nothing here
imports them.

The rule, in order
------------------
Records are first collapsed into *nodes*: records of one year with identical identifying
fields (normalised firm code, name, legal representative, phone, county, industry, founding
year) are copies of one firm-year (duplicated rows of a delivery) and share a firm.

Then records of year ``t`` are linked to records of year ``t + 1`` by passes. Each pass
looks only at records still unmatched in that direction (a record of ``t`` without a link to
``t + 1``, a record of ``t + 1`` without a link from ``t``), and links two records only when
their key is **unique on both sides** among those records (one-to-one; a key shared by two
candidates in either year links nobody in that pass) and the pair is **corroborated**:

====  ============  ====================================================  ==========================
pass  name          key (unique on both sides)                            corroboration (any of)
====  ============  ====================================================  ==========================
1     ``code``      normalised 法人代码                                   same legal rep.; same phone;
                                                                          same founding year and
                                                                          industry; name similarity
                                                                          >= 90; name similarity >=
                                                                          ``code_name_threshold``
                                                                          (70) without conflicting
                                                                          founding years
2     ``name``      normalised name (full-width -> half-width, no         same legal rep.; same
                    spaces or punctuation, legal form 有限公司 /             phone; same founding year;
                    有限责任公司 / 股份有限公司 / 厂 ... removed)            same county and industry
3     ``core_name`` core name (name without place prefix or               (three fields already)
                    parenthesised place) + founding year + prefecture
4     ``legal_rep`` legal representative + prefecture + 2-digit industry  same founding year; same
                                                                          phone; name similarity >= 80
5     ``phone``     phone with area code                                  same founding year; same
                                                                          legal rep.; name sim. >= 80
6     ``founding``  founding year + county + 2-digit industry             name similarity >=
                                                                          ``founding_name_threshold``
                                                                          (90)
7     ``fuzzy``     block (default founding year + prefecture +           name similarity >=
                    industry; ``fuzzy_blocks``), all pairs in a block      ``name_threshold`` (85), and
                                                                          each record the other's
                                                                          unique best candidate
====  ============  ====================================================  ==========================

"Name similarity" is ``rapidfuzz.fuzz.ratio`` (0-100) of *core* names
(:func:`yrd.linking.normalise.core_name`: normalised name without place and legal form), so
that a shared place and legal form do not make two firms look alike; it is only ever computed
for candidate pairs (after a key join or inside a block), never for all pairs.

Passes 1-7 are run for all consecutive year pairs first; then records still unmatched are
bridged across one missing year (``t`` to ``t + 2``) with the same passes, and so on up to
``max_gap`` (2 by default: one missing year). Links then form chains (each record has at
most one link forward and one backward); a chain is a firm. Its ``firm_id`` is the rank of
its first record in the order (year, source_file, source_row) among all chains' first
records: deterministic, independent of the row order of the input.

Corroboration and reused codes (documented choice)
---------------------------------------------------
BVZ link on the firm ID, then the name, without further checks. Codes are however reissued
to other firms after the first holder exits, and such a reuse shows up exactly where the ID
pass looks: the old firm's last record (year ``t``) and the new firm's first record (``t +
1`` or, across a gap, ``t + 2``) are both unmatched and share the code. So a code match needs
one more field to agree (table above). A firm that keeps its code through a rename keeps its
founding year and industry (or its person or phone) and stays linked; a new holder of a
reused code, with another name, person, phone and founding year, is never linked to the old
one. Name similarity alone corroborates a code only at >= 90, or at >= 70 when the founding
years do not contradict, because two firms of one line of business share the industry word
of their names (彩印, 电子科技) and reach 50-85 on a one-character trade-name overlap.

The same reasoning applies to every pass: a key of one or two fields (a name without
anything else, a common personal name in a prefecture and industry, a phone number) is
accepted only with a second, independent agreement. On the synthetic world this removes
almost all false links at no measurable loss of true ones (see the project's validation
results); on real data with noisier founding years the name-similarity alternatives keep
firms with a misreported founding year linkable.

Vectorisation: each exact pass is one sort-based join over all year pairs at once (keys are
integer codes combined with the year); only the loops over passes and gaps are in Python, and the
fuzzy pass loops over years. Memory is a few integer arrays per record on top of the input.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from yrd.linking.candidates import (  # noqa: F401 - re-exported (tests, splink_linker)
    _YEAR_SPAN,
    _block_key,
    _codes_with_missing,
    _row_groups,
    corroborated,
    exact_candidates,
    fuzzy_candidates,
    mutual_best,
    name_similarity,
)
from yrd.linking.normalise import (
    Coded,
    _recode,
    combined_codes,
    firm_code_codes,
    name_codes,
    person_codes,
    phone_codes,
    value_codes,
)
from yrd.linking.prepared import Prepared
from yrd.parallel import run_threads

#: The passes of :func:`yrd.linking.bvz.link_records`, in order (module docstring).
PASSES: tuple[str, ...] = ("code", "name", "core_name", "legal_rep", "phone", "founding", "fuzzy")
#: Passes using exact keys only (the "exact passes" whose residual the hybrid hands on).
EXACT_PASSES: tuple[str, ...] = ("code", "name")
DEFAULT_FUZZY_BLOCKS: tuple[tuple[str, ...], ...] = (("founding_year", "prefecture", "industry"),)


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    if name in df.columns:
        return df[name]
    return pd.Series(pd.NA, index=df.index, dtype="string")


def prepare(df: pd.DataFrame, places: Iterable[str], workers: int = 1) -> Prepared:
    """Normalise the identifying fields of ``df`` and collapse within-year copies into nodes.

    ``places``: the place names :func:`~yrd.linking.normalise.core_name` drops
    (:func:`~yrd.linking.normalise.place_names` of the code history); ``workers``: threads the
    fields are normalised on (the result does not depend on it).

    The fields are normalised as the public functions of :mod:`yrd.linking.normalise` do, but
    kept as integer codes (:class:`~yrd.linking.normalise.Coded`: equal codes for equal
    normalised values, -1 for missing), never spread back to the rows as strings: grouping rows
    into nodes and building the keys need only equality. The node-level codes are renumbered in
    order of first appearance among the nodes (:func:`_node_codes`), which is what
    :func:`~yrd.linking.normalise.key_codes` of the node-level strings numbers, so keys and
    columns are the same arrays as the string formulation gives."""
    if "year" not in df.columns:
        raise ValueError("records need a 'year' column")
    if df.index.has_duplicates:
        raise ValueError("records need a unique index")
    n = len(df)
    year = pd.to_numeric(df["year"], errors="coerce")
    if year.isna().any():
        raise ValueError(f"{int(year.isna().sum())} records have no year")
    year = year.to_numpy(dtype=np.int64)
    sf = _col(df, "source_file").astype("string").fillna("")
    sr = pd.to_numeric(_col(df, "source_row"), errors="coerce").fillna(-1).to_numpy(dtype=np.int64)
    sf_rank = pd.factorize(sf, sort=True)[0]
    order = np.lexsort((np.arange(n), sr, sf_rank, year))

    # the normalisations are independent Arrow string kernels on the distinct values, which
    # release the GIL for the most part: on `workers` threads (yrd.parallel.run_threads)
    area = df["area_code"] if "area_code" in df.columns else None
    (nm, core), fc, rep, phone, county, ind = run_threads(
        [
            lambda: name_codes(_col(df, "name"), places),
            lambda: firm_code_codes(_col(df, "firm_code")),
            lambda: person_codes(_col(df, "legal_rep")),
            lambda: phone_codes(_col(df, "phone"), area),
            lambda: value_codes(_col(df, "county").astype("string"), _strip_empty)[0],
            lambda: value_codes(_col(df, "industry").astype("string"), _strip_empty)[0],
        ],
        workers=workers,
    )
    if "prefecture" in df.columns:
        pref = value_codes(_col(df, "prefecture").astype("string"), _strip_empty)[0]
    else:  # the county's first four digits and 00, per distinct county
        pref = _recode(county.codes, pd.Series(county.values, dtype="string").str[:4] + "00")
    found_s = pd.to_numeric(_col(df, "founding_year"), errors="coerce").astype("Int64")
    found = np.asarray(pd.factorize(found_s, use_na_sentinel=True)[0], dtype=np.int64)
    found_year = found_s.fillna(-1).to_numpy(dtype=np.int64)

    # nodes: copies of one firm-year (identical identifying fields, missing == missing)
    codes = [year, fc.codes, nm.codes, rep.codes, phone.codes, county.codes, ind.codes, found]
    # groups are numbered by first appearance in `order`, so group number = rank of the group's
    # first row in `order` = node number
    node_sorted = _row_groups(codes, order, workers)
    node_of_row = np.empty(n, dtype=np.int64)
    node_of_row[order] = node_sorted
    n_nodes = int(node_sorted.max()) + 1 if n else 0
    rep_row = np.empty(n_nodes, dtype=np.int64)
    rep_row[node_sorted[::-1]] = order[::-1]  # first row (in order) of each node

    def at(c: Coded) -> np.ndarray:
        return _node_codes(c.codes[rep_row])

    fc_n, nm_n, core_n, rep_n, ph_n = at(fc), at(nm), at(core), at(rep), at(phone)
    cty_n, pref_n, ind_n = at(county), at(pref), at(ind)
    found_n = _node_codes(found[rep_row])
    # the names as Python strings: each node's entry of [normalised names..., None] (code -1:
    # None), and its core name, else its name, from [core names..., normalised names..., None]
    # (one lookup each, not a third array for the choice)
    names = _strings(nm)
    nm_at, core_at = nm.codes[rep_row], core.codes[rep_row]
    nm_at = np.where(nm_at >= 0, nm_at, len(names) - 1)
    core_at = np.where(core_at >= 0, core_at, len(core.values) + nm_at)
    p = Prepared(
        n_rows=n,
        index=df.index,
        node_of_row=node_of_row,
        rep_row=rep_row,
        year=year[rep_row],
        name=names[nm_at],
        founding=found_year[rep_row],
        core=np.concatenate([_strings(core)[:-1], names])[core_at],
    )
    p.cols = {
        "fc": fc_n,
        "name": nm_n,
        "rep": rep_n,
        "phone": ph_n,
        "county": cty_n,
        "prefecture": pref_n,
        "industry": ind_n,
        "founding_year": found_n,
    }
    p.keys = {
        "code": p.cols["fc"],
        "name": p.cols["name"],
        "core_name": combined_codes(core_n, found_n, pref_n),
        "legal_rep": combined_codes(rep_n, pref_n, ind_n),
        "phone": p.cols["phone"],
        "founding": combined_codes(found_n, cty_n, ind_n),
    }
    return p


def _strip_empty(u: pd.Series) -> pd.Series:
    """Values stripped of surrounding spaces; empty -> missing."""
    s = u.astype("string").str.strip()
    return s.where(s.str.len() > 0, pd.NA)


def _node_codes(codes: np.ndarray) -> np.ndarray:
    """Codes (-1: missing) renumbered densely in order of first appearance among the
    non-missing entries: ``pd.factorize(values, use_na_sentinel=True)[0]`` of the values the
    codes stand for, since equal codes are equal values. The codes index arrays directly
    (first position of each code by ``np.minimum.at``, codes ranked by it), no hashing."""
    out = np.full(len(codes), -1, dtype=np.int64)
    ok = np.flatnonzero(codes >= 0)
    if len(ok) == 0:
        return out
    x = codes[ok]
    first = np.full(int(x.max()) + 1, len(x), dtype=np.int64)
    np.minimum.at(first, x, np.arange(len(x)))
    present = np.flatnonzero(first < len(x))
    rank = np.empty(len(first), dtype=np.int64)
    rank[present[np.argsort(first[present])]] = np.arange(len(present))
    out[ok] = rank[x]
    return out


def _strings(c: Coded) -> np.ndarray:
    """Python strings of ``c.values`` with None appended, so that code -1 gives None."""
    return np.array([*c.values.tolist(), None], dtype=object)


def chain_ids(p: Prepared, fwd: np.ndarray, bwd: np.ndarray) -> np.ndarray:
    """Firm id per node from the links: the rank of the chain's first node."""
    root = np.where(bwd >= 0, bwd, np.arange(p.n))
    while True:
        nxt = root[root]
        if np.array_equal(nxt, root):
            break
        root = nxt
    return pd.factorize(root, sort=True)[0].astype(np.int64)


def run_passes(
    p: Prepared,
    passes: Sequence[str],
    max_gap: int,
    *,
    name_threshold: float,
    code_name_threshold: float,
    founding_name_threshold: float,
    fuzzy_blocks: Sequence[Sequence[str]],
    fwd: np.ndarray | None = None,
    bwd: np.ndarray | None = None,
    links: list | None = None,
    gaps: Sequence[int] | None = None,
) -> tuple[np.ndarray, np.ndarray, list]:
    """Run ``passes`` for gaps 1..max_gap; returns (fwd, bwd, links) where ``links`` is a list
    of (i, j, pass) array triples."""
    unknown = [x for x in passes if x not in PASSES]
    if unknown:
        raise ValueError(f"unknown passes {unknown}; known: {PASSES}")
    fwd = np.full(p.n, -1, np.int64) if fwd is None else fwd
    bwd = np.full(p.n, -1, np.int64) if bwd is None else bwd
    links = [] if links is None else links
    for gap in range(1, max_gap + 1) if gaps is None else gaps:
        for name in passes:
            if name == "fuzzy":
                i, j, s = fuzzy_candidates(p, fwd, bwd, gap, name_threshold, fuzzy_blocks)
                i, j = mutual_best(i, j, s)
            else:
                i, j = exact_candidates(p, p.keys[name], fwd, bwd, gap)
                if len(i):
                    ok = corroborated(
                        p,
                        name,
                        i,
                        j,
                        code_name_threshold=code_name_threshold,
                        founding_name_threshold=founding_name_threshold,
                    )
                    i, j = i[ok], j[ok]
            fwd[i] = j
            bwd[j] = i
            links.append((i, j, name))
    return fwd, bwd, links


def links_frame(p: Prepared, links: list) -> pd.DataFrame:
    """Links between input rows: ``row_from``, ``row_to`` (index labels), ``year_from``,
    ``year_to``, ``pass`` (a link between copies of one firm-year has pass ``duplicate``)."""
    parts = []
    for i, j, name in links:
        if len(i):
            parts.append(pd.DataFrame({"a": p.rep_row[i], "b": p.rep_row[j], "pass": name}))
    # copies of one firm-year: link each extra row to its node's first row
    rows = np.arange(p.n_rows)
    extra = rows[p.rep_row[p.node_of_row] != rows]
    if len(extra):
        parts.append(pd.DataFrame({"a": p.rep_row[p.node_of_row[extra]], "b": extra, "pass": "duplicate"}))
    if not parts:
        return pd.DataFrame(
            {
                "row_from": pd.Series([], dtype=p.index.dtype),
                "row_to": pd.Series([], dtype=p.index.dtype),
                "year_from": pd.Series([], dtype="int64"),
                "year_to": pd.Series([], dtype="int64"),
                "pass": pd.Series([], dtype="string"),
            }
        )
    d = pd.concat(parts, ignore_index=True)
    node_year = p.year[p.node_of_row]
    return pd.DataFrame(
        {
            "row_from": p.index[d["a"].to_numpy()],
            "row_to": p.index[d["b"].to_numpy()],
            "year_from": node_year[d["a"].to_numpy()],
            "year_to": node_year[d["b"].to_numpy()],
            "pass": d["pass"].astype("string").to_numpy(),
        }
    )


def firm_ids_for_rows(p: Prepared, fwd: np.ndarray, bwd: np.ndarray) -> pd.Series:
    """``firm_id`` (int64) per input row (index of the input): the id of its node's chain
    (:func:`chain_ids`)."""
    node_id = chain_ids(p, fwd, bwd)
    return pd.Series(node_id[p.node_of_row], index=p.index, name="firm_id", dtype="int64")
