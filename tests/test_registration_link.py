"""Linking business-registration records to ASIF firms, relocation and expansion events, and
the precision / recall of the links (yrd.registration.link, .events, .link_scores), on
hand-made firm-years and records whose answers are known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.resources import AREACODES_CSV
from yrd.registration.events import EXPANSION_COLUMNS, RELOCATION_COLUMNS, expansion_events, relocation_events
from yrd.registration.keys import org_check_char, regno_check_digit, uscc_check_char
from yrd.registration.link import LINK_COLUMNS, link_registration
from yrd.registration.link_scores import (
    asif_true_firms,
    party_key_kinds,
    party_truth,
    score_events,
    score_registration_links,
)
from yrd.registration.rows import CHANGE_COLUMNS, INVESTMENT_COLUMNS

SUZHOU, WUXI, HANGZHOU = "320505", "320211", "330106"


def org(body: str) -> str:
    return body + org_check_char(body)


def credit(area: str, org_code: str) -> str:
    body = "91" + area + org_code
    return body + uscc_check_char(body)


def regno(area: str, seq: str) -> str:
    body = area + seq
    return body + regno_check_digit(body)


REUSED = org("1234567A")  # held by firm 1 (1998-2001, Suzhou), reused by firm 2 (2008-2013, Wuxi)
PARENT = org("7654321B")  # firm 5 (Wuxi), a parent


def firm_years() -> pd.DataFrame:
    rows = []

    def add(fid, years, county, code, name, industry="17", emp=100):
        for y in years:
            rows.append(
                dict(
                    firm_id=fid,
                    year=y,
                    county=county,
                    prefecture=county[:4] + "00",
                    industry=industry,
                    employment=emp + y - 1998,
                    firm_code=code,
                    name=name,
                    source_file=f"asif_{y}.csv",
                    source_row=fid,
                )
            )

    add(1, range(1998, 2002), SUZHOU, REUSED, "苏州金达机械有限公司")
    add(2, range(2008, 2014), WUXI, REUSED, "无锡宏远电子有限公司", industry="40")
    add(3, range(2003, 2007), SUZHOU, org("2222222C"), "华盛（苏州）纺织有限责任公司")
    add(4, range(2003, 2007), SUZHOU, org("3333333D"), "苏州同名化工有限公司")
    add(6, range(2003, 2007), WUXI, org("4444444E"), "苏州同名化工有限公司")
    add(5, range(2005, 2011), WUXI, PARENT, "无锡长江钢铁有限公司", industry="32")
    fy = pd.DataFrame(rows)
    return fy.astype({"year": "Int64", "employment": "Int64"})


def change(row, name, date, *, cc="", rn="", oc="", cls="address", before=None, after=None, file="a.csv", event=0):
    return dict(
        source_file=file,
        source_row=row,
        event=event,
        firm_key=cc or rn or oc or None,
        key_kind=None,
        credit_code=cc or None,
        reg_number=rn or None,
        org_code=oc or None,
        name=name,
        change_item="住所变更" if cls == "address" else "经营范围变更",
        change_class=cls,
        before="b",
        after="a",
        change_date=pd.Timestamp(date),
        date_precision="day",
        county_before=before,
        county_after=after,
        resolution_before="county" if before else None,
        resolution_after="county" if after else None,
    )


def changes() -> pd.DataFrame:
    rows = [
        change(0, "无锡宏远电子有限公司", "2010-03-01", cc=credit(WUXI, REUSED), before=WUXI, after=HANGZHOU),
        change(1, "苏州金达机械有限公司", "2002-06-01", cc=credit(SUZHOU, REUSED), cls="other"),
        # name variants of firm 3's name, no key: 有限公司 for 有限责任公司, ASCII brackets, a space
        change(2, "华盛(苏州) 纺织有限公司", "2005-05-05", before=SUZHOU, after=WUXI),
        # firm 3's name in Hangzhou: not name_place (another prefecture), but the unique name pass
        change(3, "华盛（苏州）纺织有限公司", "2005-05-05", cls="other", before=None),
        # a name of two ASIF firms (Suzhou and Wuxi) used in Hangzhou: no link
        change(4, "苏州同名化工有限公司", "2005-01-01", rn=regno(HANGZHOU, "00000001"), cls="other"),
        # the relocation of row 0 again, under the registration number, in another file
        change(
            0,
            "无锡宏远电子有限公司",
            "2010-03-20",
            rn=regno(WUXI, "12345678"),
            before=WUXI,
            after=HANGZHOU,
            file="b.csv",
        ),
    ]
    df = pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))
    df.loc[3, "county_before"] = None
    return df


def investments() -> pd.DataFrame:
    def inv(row, investor, ikey, investee, county, date, capital=100.0):
        return dict(
            source_file="inv.csv",
            source_row=row,
            investor_name=investor,
            investor_key=ikey,
            investor_key_kind="credit_code" if ikey else None,
            investee_name=investee,
            investee_key=None,
            investee_key_kind=None,
            investee_address="x",
            investee_county=county,
            investee_prefecture=county[:4] + "00",
            resolution="county",
            capital_wan=capital,
            founding_date=pd.Timestamp(date),
            date_precision="day",
        )

    rows = [
        # unknown investor (not in the ASIF panel): origin from its key's area code (Suzhou)
        inv(0, "苏州未知投资有限公司", credit(SUZHOU, org("9999999F")), "杭州新设有限公司", HANGZHOU, "2009-04-01"),
        # linked parent (firm 5, Wuxi) into Hangzhou, written twice (another date format, same day)
        inv(1, "无锡长江钢铁有限公司", credit(WUXI, PARENT), "杭州长江钢铁有限公司", HANGZHOU, "2008-07-01", 500.0),
        inv(2, "无锡长江钢铁有限公司 ", credit(WUXI, PARENT), "杭州长江钢铁有限公司", HANGZHOU, "2008-07-02", 500.0),
        # a subsidiary in the parent's own prefecture: no expansion event
        inv(3, "无锡长江钢铁有限公司", credit(WUXI, PARENT), "无锡长江新材料有限公司", WUXI, "2009-01-01"),
    ]
    return pd.DataFrame(rows, columns=list(INVESTMENT_COLUMNS))


@pytest.fixture(scope="module")
def linked():
    return link_registration(changes(), investments(), firm_years(), history=AREACODES_CSV)


def _at(links, table, file, row, party):
    m = links[
        links["table"].eq(table)
        & links["source_file"].eq(file)
        & links["source_row"].eq(row)
        & links["party"].eq(party)
    ]
    assert len(m) == 1
    return m.iloc[0]


def test_link_columns_and_one_row_per_party(linked):
    assert set(LINK_COLUMNS) <= set(linked.columns)
    assert len(linked) == len(changes()) + 2 * len(investments())
    assert str(linked["firm_id"].dtype) == "Int64"


def test_reused_code_links_to_the_holder_nearest_the_event_year(linked):
    later = _at(linked, "change", "a.csv", 0, "firm")
    earlier = _at(linked, "change", "a.csv", 1, "firm")
    assert (later["firm_id"], later["method"]) == (2, "credit_code")
    assert (earlier["firm_id"], earlier["method"]) == (1, "credit_code")


def test_name_variant_links_by_name_place(linked):
    r = _at(linked, "change", "a.csv", 2, "firm")
    assert (r["firm_id"], r["method"]) == (3, "name_place")
    assert r["score"] == 100.0


def test_name_in_another_prefecture_does_not_link_by_name_place(linked):
    r = _at(linked, "change", "a.csv", 3, "firm")  # no place: only the unique-name pass
    assert (r["firm_id"], r["method"]) == (3, "name")
    r = _at(linked, "change", "a.csv", 4, "firm")  # Hangzhou key; the name is two firms' name
    assert pd.isna(r["firm_id"]) and r["method"] == "none" and np.isnan(r["score"])


def test_fuzzy_name_place_threshold():
    fy = firm_years()
    c = changes().iloc[[2]].assign(name="华盛（苏州）纺织品有限公司")  # one character more
    strict = link_registration(c, investments().iloc[:0], fy, history=AREACODES_CSV)
    assert strict["method"].iloc[0] == "none"  # ratio 92.3 < 95
    from yrd.registration.link import LinkParams

    loose = link_registration(
        c, investments().iloc[:0], fy, history=AREACODES_CSV, params=LinkParams(name_threshold=90.0)
    )
    assert (loose["firm_id"].iloc[0], loose["method"].iloc[0]) == (3, "name_place")
    assert 90 <= loose["score"].iloc[0] < 100


def test_relocation_under_two_keys_is_one_event(linked):
    ev = relocation_events(changes(), linked, firm_years())
    assert list(ev.columns) == list(RELOCATION_COLUMNS)
    assert len(ev) == 2  # firm 2's move (two rows) and firm 3's move
    e = ev.set_index("firm_id").loc[2]
    assert (e["origin_county"], e["dest_county"], e["year"]) == (WUXI, HANGZHOU, 2010)
    assert (e["origin_prefecture"], e["dest_prefecture"]) == ("320200", "330100")
    assert (e["source_file"], e["source_row"]) == ("a.csv", 0)  # the earlier record
    assert (e["industry"], e["employment"]) == ("40", 100 + 2010 - 1998)
    e3 = ev.set_index("firm_id").loc[3]
    assert (e3["industry"], e3["employment"]) == ("17", 100 + 2005 - 1998)
    # 400 days apart: two events
    c = changes()
    c.loc[5, "change_date"] = pd.Timestamp("2011-04-05")
    assert len(relocation_events(c, linked, firm_years())) == 3


def test_unlinked_investor_gets_its_origin_from_the_key(linked):
    ev = expansion_events(investments(), linked, firm_years())
    assert list(ev.columns) == list(EXPANSION_COLUMNS)
    assert len(ev) == 2  # rows 1 and 2 are one event, row 3 stays in Wuxi
    unk = ev[ev["source_row"].eq(0)].iloc[0]
    assert pd.isna(unk["parent_firm_id"]) and unk["origin_method"] == "key_area_code"
    assert (unk["origin_county"], unk["origin_prefecture"]) == (SUZHOU, "320500")
    assert (unk["dest_county"], unk["dest_prefecture"]) == (HANGZHOU, "330100")
    assert unk["industry"] is None and pd.isna(unk["employment"])
    par = ev[ev["source_row"].eq(1)].iloc[0]
    assert (par["parent_firm_id"], par["origin_method"], par["origin_county"]) == (5, "asif", WUXI)
    assert (par["industry"], par["employment"], par["year"], par["capital_wan"]) == ("32", 110, 2008, 500.0)


def test_precision_and_recall_on_a_hand_made_truth(linked):
    fy = firm_years()
    # ASIF truth: firm_id 1 and 2 are true firms 101 and 102 (the reused code), firm 3 is 103,
    # except one of its rows; firm 5 is 105
    rec = fy[["source_file", "source_row", "firm_id"]].assign(true_firm_id=lambda d: d["firm_id"] + 100)
    rec.loc[rec.index[(fy["firm_id"] == 3).to_numpy()][:1], "true_firm_id"] = 999
    asif = asif_true_firms(fy, rec.drop(columns="firm_id"))
    assert asif.loc[3] == 103 and asif.loc[1] == 101
    ct = pd.DataFrame(
        {
            "source_file": ["a.csv"] * 5 + ["b.csv"],
            "source_row": [0, 1, 2, 3, 4, 0],
            # row 3 is truly another firm (104 is not firm 3): a wrong link; row 4's firm is 106
            "true_firm_id": [102, 101, 103, 104, 106, 102],
        }
    )
    it = pd.DataFrame(
        {
            "source_file": ["inv.csv"] * 4,
            "source_row": [0, 1, 2, 3],
            "parent_firm_id": [500, 105, 105, 105],
            "asif_firm_id": pd.array([pd.NA] * 4, dtype="Int64"),
        }
    )
    kinds = party_key_kinds(changes(), investments())
    panel = {101, 102, 103, 104, 105, 106}
    s = score_registration_links(linked, kinds, party_truth(ct, it), asif, panel)
    o = s["overall"]
    # links: changes 0,1,2,3 + b.csv 0 (name_place) ; investors 1,2,3 -> 8 links, 7 correct
    # in panel: 6 change parties + 3 investors = 9 (investor 500 and the investees are not)
    assert o["parties"] == 14 and o["in_panel"] == 9
    assert (o["links"], o["correct"]) == (8, 7)
    assert o["precision"] == pytest.approx(7 / 8) and o["recall"] == pytest.approx(7 / 9)
    assert s["by_method"]["name"]["precision"] == 0.0
    assert s["by_key_kind"]["credit_code"]["correct"] == 5
    # events: judged on the record each keeps
    it["origin_prefecture"] = ["320500", "320200", "320200", "320200"]
    ev = score_events(
        relocation_events(changes(), linked, fy),
        expansion_events(investments(), linked, fy),
        party_truth(ct, it),
        asif,
        it,
    )
    assert ev["relocations"] == {"events": 2, "linked": 1.0, "firm_correct": 1.0, "same_true_move": 0}
    assert ev["expansions"]["events"] == 2 and ev["expansions"]["linked"] == 0.5
    assert ev["expansions"]["firm_correct"] == 1.0
    assert ev["expansions"]["origin_correct"] == {"asif": 1.0, "key_area_code": 1.0}
