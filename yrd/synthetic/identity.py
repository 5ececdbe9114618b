"""Identities of synthetic firms: organisation codes, names, legal representatives, phones,
addresses and postcodes, generated deterministically and vectorised.

Everything here only makes synthetic records LOOK like real Annual Survey of Industrial Firms
(ASIF) records, so that linking firms across years has to work with the same kind of fields
as on real data. None of it is used as data about the real world: the telephone area codes and
postcode prefixes of the 41 prefectures below are real (as of the 2010s), but which firm gets
which number, name, person or street is pure invention.

Determinism: every draw is a counter-based hash (SplitMix64) of ``(seed, key..., salt)``, so a
firm's attributes depend only on the seed and its ``true_firm_id`` (not on which other firms
exist or on row order), and another seed gives another world.
"""

from __future__ import annotations

import numpy as np

from yrd.geography import place_stem as _place_stem

_MASK = (1 << 64) - 1

# ----------------------------------------------------------------------------- hashing
def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser on a uint64 array (wrapping arithmetic)."""
    z = z + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _u64(x) -> np.ndarray:
    a = np.asarray(x)
    if a.dtype == np.uint64:
        return a
    return a.astype(np.int64).view(np.uint64) if a.ndim else np.uint64(int(a) & _MASK)


def hash64(seed: int, *keys) -> np.ndarray:
    """Deterministic 64-bit hash of ``seed`` and integer keys (scalars or arrays, broadcast)."""
    with np.errstate(over="ignore"):
        h = _mix(np.asarray(np.uint64(int(seed) & _MASK)))
        for k in keys:
            h = _mix(h ^ _u64(k))
    return h


def uniform(seed: int, *keys) -> np.ndarray:
    """Deterministic uniform numbers in [0, 1) from :func:`hash64`."""
    return (hash64(seed, *keys) >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def pick(u: np.ndarray, n) -> np.ndarray:
    """Index ``floor(u * n)`` in ``0 .. n-1`` (``n`` scalar or array)."""
    n = np.asarray(n)
    return np.minimum((u * n).astype(np.int64), np.maximum(n - 1, 0))


def weighted_pick(u: np.ndarray, weights) -> np.ndarray:
    """Index into ``weights`` drawn with probability proportional to the weights."""
    cw = np.cumsum(np.asarray(weights, dtype=float))
    return np.minimum(np.searchsorted(cw / cw[-1], u, side="right"), len(cw) - 1)


def digits(values: np.ndarray, width: int | None = None) -> np.ndarray:
    """Non-negative integers as an object array of decimal strings (zero-padded to ``width``)."""
    s = np.asarray(values, dtype=np.int64).astype(str)
    if width is not None:
        s = np.char.zfill(s, width)
    return s.astype(object)


# ----------------------------------------------------------------------------- pools
#: Common Chinese surnames with approximate national frequencies (per cent, 2010s), slightly
#: shifted towards surnames frequent in the Yangtze River Delta (徐, 朱, 沈, 陆, 顾, 钱).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤"
)
SURNAME_WEIGHTS = (
    7.1, 7.0, 6.7, 5.4, 4.6, 3.1, 2.2, 2.0, 2.2, 2.0, 2.0, 1.5, 1.3, 1.5, 1.2, 1.2, 1.1, 1.1, 1.1, 0.9,
    0.9, 0.8, 0.8, 0.7, 0.7, 0.7, 0.6, 0.6, 0.6, 0.6, 0.6, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5,
    0.5, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.7, 0.4, 0.4, 0.3, 0.3, 0.3, 0.3, 0.6, 0.3, 0.3, 0.3,
    0.3, 0.3, 0.3, 0.3, 0.2, 0.3, 0.3, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2,
    0.2, 0.2, 0.2, 0.2, 0.2, 0.5, 0.2, 0.2, 0.2, 0.2, 0.2, 0.4, 0.2, 0.2, 0.2, 0.1, 0.1,
)
#: Characters of given names (both sexes), common in people born 1940-1975.
GIVEN_CHARS = (
    "建国华明伟军平强文勇志春林红海荣兴良根忠洪德金宝福新峰东杰斌涛敏英芳丽萍芬美燕静云飞龙波鹏辉刚健俊磊"
    "超亮宏民生祥庆永昌成元中仁义安康泉清正玉秀琴凤霞珍娟梅兰桂月晓雪丹宇浩鑫晨阳立友发富贵才耀卫山江坤"
    "伯仲培雄彬炳法水全顺"
)

#: Trade-name (字号) characters, each with a character a clerk might type instead (a homophone or
#: a look-alike): the one-character typo of a name variant.
_TRADE_PAIRS = (
    "华化 盛胜 恒衡 达大 宏鸿 鑫新 永勇 昌长 泰太 丰峰 隆龙 兴星 荣容 祥翔 瑞锐 金今 宝保 利力 源元 通同 "
    "江疆 天添 益义 佳嘉 美梅 富复 顺舜 安岸 正政 德得 信欣 诚城 明鸣 光广 亚雅 东冬 方芳 远园 力立 科可 "
    "创闯 成城 凯恺 博搏 伟维 良梁 立利 飞非 腾滕 龙隆 凤风 阳扬 辉晖 旺望 鼎顶 星兴 宇雨 联连 合和 协谐 "
    "众中 宁凝 和合 双爽 万湾 千迁 百柏 长昌 久九 振镇 胜盛 新欣 中忠 国果 环还 球求 汇会 晶精 威伟 豪浩 "
    "浩豪 杰洁 旭序 鸿宏 锦景 林琳 森深 峰锋 航杭 舟州 亨恒 裕玉 福富 吉集 庆青 奥澳 欧鸥 润闰 泽择 昊浩 "
    "铭明 晟胜 宸晨 睿瑞 越跃 雄熊 伦轮 元原 鹏朋 亿忆 盈赢 捷洁 凌灵 圣胜 祺琪 海梅 大达 伊依 友有 贝备"
).split()
TRADE_CHARS = "".join(p[0] for p in _TRADE_PAIRS)
TRADE_TYPOS = "".join(p[1] for p in _TRADE_PAIRS)

#: Words for the industry part of a firm name, by GB/T 4754-2002 division.
INDUSTRY_WORDS: dict[str, tuple[str, ...]] = {
    "13": ("食品", "粮油", "饲料", "米业"),
    "14": ("食品", "乳业", "调味品"),
    "15": ("酒业", "饮料", "茶业"),
    "16": ("卷烟",),
    "17": ("纺织", "织造", "印染", "丝绸"),
    "18": ("服装", "服饰", "制衣"),
    "19": ("皮革", "鞋业", "制革"),
    "20": ("木业", "竹木", "人造板"),
    "21": ("家具",),
    "22": ("纸业", "造纸"),
    "23": ("印刷", "彩印"),
    "24": ("文具", "体育用品", "乐器"),
    "25": ("石化", "炼油"),
    "26": ("化工", "化学"),
    "27": ("制药", "药业"),
    "28": ("化纤", "化学纤维"),
    "29": ("橡胶", "橡塑"),
    "30": ("塑料", "塑胶", "塑业"),
    "31": ("建材", "水泥", "陶瓷", "玻璃"),
    "32": ("钢铁", "特钢", "钢业"),
    "33": ("铜业", "铝业", "有色金属"),
    "34": ("五金", "金属制品"),
    "35": ("机械", "机械制造", "阀门", "轴承"),
    "36": ("机械", "设备", "机械设备"),
    "37": ("汽车配件", "船舶", "车辆", "机车"),
    "39": ("电器", "电机", "电缆", "电气"),
    "40": ("电子", "通信设备", "电子科技"),
    "41": ("仪器仪表", "仪表"),
    "42": ("工艺品", "工艺"),
    "43": ("再生资源", "资源回收"),
}
DEFAULT_INDUSTRY_WORD = "实业"

#: Legal-form suffixes and their probabilities by registration-type group.
LEGAL_FORMS = ("有限公司", "有限责任公司", "股份有限公司", "厂", "总厂")
_FORM_WEIGHTS = {
    "state": (0.15, 0.30, 0.05, 0.42, 0.08),
    "limited": (0.65, 0.35, 0.00, 0.00, 0.00),
    "joint_stock": (0.10, 0.00, 0.90, 0.00, 0.00),
    "private": (0.55, 0.15, 0.00, 0.30, 0.00),
    "foreign": (0.90, 0.00, 0.10, 0.00, 0.00),
}
#: Share of firms whose name puts the place in parentheses after the trade name,
#: 华盛（苏州）纺织有限公司 (common for foreign and HK-Macau-Taiwan invested firms).
_PAREN_SHARE = {"state": 0.0, "limited": 0.06, "joint_stock": 0.03, "private": 0.03, "foreign": 0.6}

ROADS = (
    "人民路", "解放路", "中山路", "建设路", "新华路", "胜利路", "东风路", "长江路", "黄河路", "工业路",
    "开发区大道", "滨江路", "环城路", "振兴路", "友谊路", "和平路", "文化路", "青年路", "朝阳路", "延安路",
    "北京路", "新民路", "兴业路", "创业路", "科技路", "复兴路", "迎宾大道", "世纪大道", "港口路", "工业园路",
    "经一路", "纬二路", "园区路", "江南大道", "金山路", "沿江路", "城北路", "城南路", "东环路", "西环路",
    "南环路", "北环路", "幸福路", "光明路", "团结路", "学府路", "民主路", "跃进路", "红旗路", "太湖路",
)
TOWNS = (
    "城东镇", "城南镇", "城西镇", "城北镇", "新桥镇", "东山镇", "西山镇", "南桥镇", "北塘镇", "金桥镇",
    "马桥镇", "华庄镇", "黄桥镇", "杨桥镇", "石桥镇", "白马镇", "青山镇", "新塘镇", "永丰镇", "长安镇",
)
ZONES = ("经济开发区", "工业园区", "高新技术产业开发区", "经济技术开发区", "工业集中区")

#: Telephone area codes (区号) of the 41 YRD prefectures, by 2021 prefecture code. Used only
#: to make synthetic records look real.
AREA_CODES: dict[str, str] = {
    "310100": "021", "320100": "025", "320200": "0510", "320300": "0516", "320400": "0519",
    "320500": "0512", "320600": "0513", "320700": "0518", "320800": "0517", "320900": "0515",
    "321000": "0514", "321100": "0511", "321200": "0523", "321300": "0527", "330100": "0571",
    "330200": "0574", "330300": "0577", "330400": "0573", "330500": "0572", "330600": "0575",
    "330700": "0579", "330800": "0570", "330900": "0580", "331000": "0576", "331100": "0578",
    "340100": "0551", "340200": "0553", "340300": "0552", "340400": "0554", "340500": "0555",
    "340600": "0561", "340700": "0562", "340800": "0556", "341000": "0559", "341100": "0550",
    "341200": "0558", "341300": "0557", "341500": "0564", "341600": "0558", "341700": "0566",
    "341800": "0563",
}
#: Area codes whose local numbers had eight digits over most of the period (others: seven).
_EIGHT_DIGIT = {"021", "025", "0510", "0512", "0571", "0574", "0577", "0551", "0519", "0513", "0575"}
#: Postcode prefixes (first three or four digits) of the 41 prefectures. Look-real only.
POSTCODE_PREFIX: dict[str, str] = {
    "310100": "200", "320100": "210", "320200": "214", "320300": "221", "320400": "213",
    "320500": "215", "320600": "226", "320700": "222", "320800": "223", "320900": "224",
    "321000": "225", "321100": "212", "321200": "2253", "321300": "2238", "330100": "310",
    "330200": "315", "330300": "325", "330400": "314", "330500": "313", "330600": "312",
    "330700": "321", "330800": "324", "330900": "316", "331000": "318", "331100": "323",
    "340100": "230", "340200": "241", "340300": "233", "340400": "232", "340500": "243",
    "340600": "235", "340700": "244", "340800": "246", "341000": "245", "341100": "239",
    "341200": "236", "341300": "234", "341500": "237", "341600": "2368", "341700": "247",
    "341800": "242",
}

_PLACE_SUFFIXES = ("畲族自治县", "自治县", "新区", "地区", "市", "区", "县")


def _check_pools() -> None:
    assert len(SURNAMES) == len(SURNAME_WEIGHTS), (len(SURNAMES), len(SURNAME_WEIGHTS))
    assert len(set(SURNAMES)) == len(SURNAMES)
    assert all(len(p) == 2 for p in _TRADE_PAIRS), [p for p in _TRADE_PAIRS if len(p) != 2]
    assert len(set(TRADE_CHARS)) == len(TRADE_CHARS)
    assert all(a != b for a, b in zip(TRADE_CHARS, TRADE_TYPOS))


_check_pools()


def place_stem(name: str) -> str:
    """Place name without its unit suffix: 江阴市 -> 江阴, 浦东新区 -> 浦东, 巢湖地区 -> 巢湖."""
    return _place_stem(name, _PLACE_SUFFIXES)


def form_group(reg_type: np.ndarray) -> np.ndarray:
    """Group of 3-digit registration-type codes (登记注册类型) for the legal form of the name:
    ``state`` (110 国有, 120 集体, 130 股份合作, 14x 联营), ``limited`` (151 国有独资公司, 159 其他有限责任
    公司, 173 私营有限责任公司), ``joint_stock`` (160, 174 股份有限公司), ``foreign`` (2xx HK-Macau-
    Taiwan, 3xx foreign) and ``private`` (171/172 私营独资/合伙, 190 其他 and anything else)."""
    r = np.asarray(reg_type).astype(str).astype("U3")
    lead = r.astype("U1")
    out = np.full(r.shape, "private", dtype=object)
    out[(lead == "2") | (lead == "3")] = "foreign"
    out[np.isin(r, ["110", "120", "130", "141", "142", "143", "149"])] = "state"
    out[np.isin(r, ["151", "159", "173"])] = "limited"
    out[np.isin(r, ["160", "174"])] = "joint_stock"
    return out


# ----------------------------------------------------------------------------- generators
def check_character(body: np.ndarray) -> np.ndarray:
    """GB 11714 check character of 8-digit organisation-code bodies (``0``-``9`` or ``X``)."""
    w = np.array([3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
    b = np.asarray(body, dtype=np.int64)
    ds = np.stack([(b // 10 ** (7 - i)) % 10 for i in range(8)], axis=-1)
    c = 11 - (ds @ w) % 11
    ch = np.where(c == 10, "X", np.where(c == 11, "0", c.astype(str)))
    return ch.astype("U1")


def organisation_codes(keys: np.ndarray, seed: int, salt: int = 0) -> np.ndarray:
    """Unique 9-character organisation codes (法人代码 / 组织机构代码, GB 11714: eight digits and a
    check character), one per key. Deterministic in ``(seed, key)``; collisions are redrawn."""
    keys = np.asarray(keys, dtype=np.int64)
    body = np.empty(len(keys), dtype=np.int64)
    todo = np.arange(len(keys))
    round_ = 0
    while len(todo):
        h = hash64(seed, keys[todo], 0x0C0DE + salt, round_)
        body[todo] = 10_000_000 + (h % np.uint64(70_000_000)).astype(np.int64)  # first digit 1-7
        # duplicates: keep the first occurrence (by position), redraw the others
        order = np.argsort(body, kind="stable")
        dup_sorted = np.zeros(len(body), dtype=bool)
        dup_sorted[1:] = body[order][1:] == body[order][:-1]
        dup = np.zeros(len(body), dtype=bool)
        dup[order] = dup_sorted
        todo = np.flatnonzero(dup)
        round_ += 1
        if round_ > 50:  # pragma: no cover
            raise RuntimeError("could not draw unique organisation codes")
    return (body.astype(str).astype(object) + check_character(body).astype(object)).astype(object)


def person_names(keys: np.ndarray, seed: int, salt: int = 0) -> np.ndarray:
    """Chinese personal names (surname + one or two given-name characters)."""
    keys = np.asarray(keys, dtype=np.int64)
    sur = np.array(list(SURNAMES), dtype=object)[weighted_pick(uniform(seed, keys, 0x5A1 + salt), SURNAME_WEIGHTS)]
    g = np.array(list(GIVEN_CHARS), dtype=object)
    g1 = g[pick(uniform(seed, keys, 0x5A2 + salt), len(g))]
    g2 = g[pick(uniform(seed, keys, 0x5A3 + salt), len(g))]
    two = uniform(seed, keys, 0x5A4 + salt) < 0.72
    return sur + g1 + np.where(two, g2, "")


def trade_pairs(keys: np.ndarray, seed: int, salt: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two distinct indices into :data:`TRADE_CHARS` per key (the 2-character trade name)."""
    n = len(TRADE_CHARS)
    a = pick(uniform(seed, keys, 0x7D1 + salt), n)
    b = pick(uniform(seed, keys, 0x7D2 + salt), n - 1)
    b = np.where(b >= a, b + 1, b)
    return a, b


def legal_forms(reg_type: np.ndarray, u_form: np.ndarray, u_paren: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Legal-form suffix (index into :data:`LEGAL_FORMS`) and the parenthesised-place style flag."""
    grp = form_group(reg_type)
    form = np.zeros(len(grp), dtype=np.int64)
    paren = np.zeros(len(grp), dtype=bool)
    for g, w in _FORM_WEIGHTS.items():
        m = grp == g
        form[m] = weighted_pick(u_form[m], w)
        paren[m] = u_paren[m] < _PAREN_SHARE[g]
    paren &= form < 3  # 厂 / 总厂 never take the parenthesised place
    return form, paren


def phone_numbers(keys: np.ndarray, epochs: np.ndarray, area_codes: np.ndarray, seed: int) -> np.ndarray:
    """Local telephone numbers (7 or 8 digits, first digit 2-8) for ``(key, epoch)``."""
    u = uniform(seed, keys, epochs, 0x9E0)
    eight = np.isin(np.asarray(area_codes, dtype=object).astype(str), list(_EIGHT_DIGIT))
    lo = np.where(eight, 20_000_000, 2_000_000)
    span = np.where(eight, 70_000_000, 7_000_000)
    return digits(lo + (u * span).astype(np.int64))
