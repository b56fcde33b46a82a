"""Plausible Chinese names, addresses and identifiers for synthetic data, valid by construction.

USCCs, resident ID numbers and mobile numbers are built from an index so that they are unique
within a run and across runs (the index continues from the previous run), and they carry correct
check characters: every value passes ``tongqi.core.validators`` (asserted in the tests).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from tongqi.core.validators import (
    organization_code_check_char,
    resident_id_check_char,
    uscc_check_char,
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
)
GIVEN = (
    "伟 芳 娜 敏 静 磊 强 军 洋 勇 艳 杰 涛 明 超 秀英 华 平 刚 桂英 建华 晓东 海燕 志强 丽娟 "
    "文 斌 辉 鹏 宇 浩 婷 雪 琳 晨 欣 佳 颖 俊 凯 峰 亮 霞 红 玲 建国 国强 春梅 文静 子涵 "
    "梓轩 一鸣 思远 晓峰 海波 立新 德明 志刚 永红 金凤"
).split()

BRANDS = (
    "楚味 江城 汉味 鄂香 荆楚 长江 东湖 黄鹤 晴川 知音 九省 光谷 珞珈 汉水 清江 三峡 神农 "
    "武当 赤壁 洪湖 莲湖 福瑞 鸿运 金鼎 百味 老街 聚福 盛宴 和顺 兴隆 恒丰 宏达 嘉禾 瑞祥 "
    "华庭 锦绣 佳园 富华 天禧 顺丰 新港 龙腾 凤鸣 茂源 晨光 蓝天 绿源 德胜 永安"
).split()

# usage type → enterprise name suffixes and typical appliances (name, rated flow m³/h)
TRADES = {
    "restaurant": (
        ("餐饮有限公司", "酒楼有限公司", "火锅店", "餐饮管理有限公司", "热干面馆", "小龙虾馆"),
        (("中餐炒灶", "3.5"), ("大锅灶", "4.2"), ("蒸柜", "2.6"), ("汤桶灶", "1.8")),
    ),
    "canteen": (
        ("后勤服务有限公司", "学校食堂", "职工食堂", "团餐服务有限公司"),
        (("大锅灶", "4.2"), ("蒸饭柜", "2.8"), ("炒灶", "3.2"), ("低汤灶", "1.6")),
    ),
    "hotel": (
        ("酒店管理有限公司", "大酒店有限公司", "宾馆", "商务酒店有限公司"),
        (("中餐炒灶", "3.5"), ("燃气热水炉", "6.5"), ("蒸柜", "2.6")),
    ),
    "bakery": (
        ("食品有限公司", "烘焙坊", "面点加工厂", "豆制品厂"),
        (("燃气烤炉", "2.2"), ("蒸箱", "2.4"), ("油炸锅", "1.9")),
    ),
    "boiler": (
        ("物业服务有限公司", "洗浴中心", "供暖服务有限公司", "洗涤服务有限公司"),
        (("燃气锅炉（1 吨）", "75"), ("燃气锅炉（0.5 吨）", "38"), ("燃气热水机组", "12")),
    ),
    "industrial": (
        (
            "机械制造有限公司",
            "新材料有限公司",
            "化工有限公司",
            "陶瓷有限公司",
            "汽车零部件有限公司",
        ),
        (("工业窑炉", "60"), ("热处理炉", "45"), ("燃气烘干机", "18"), ("燃气锅炉（2 吨）", "150")),
    ),
    "commercial": (
        ("商贸有限公司", "超市有限公司", "美容美发店", "文化传媒有限公司", "健身中心"),
        (("燃气热水器", "2.4"), ("燃气灶", "0.9"), ("燃气壁挂炉", "2.8")),
    ),
}

STREET_SUFFIXES = ("路", "大道", "街", "路", "巷", "大街")
STREET_WORDS = (
    "解放 中山 建设 友谊 和平 人民 发展 新华 胜利 民主 青年 光明 黄浦 沿江 长江 江汉 "
    "珞喻 关山 雄楚 民族 鲁磨 光谷 高新 东湖 武珞 中北 徐东 二七 后湖 金桥 常青 汉阳 "
    "鹦鹉 墨水湖 龙阳 江城 铁机 欢乐 工农 白沙洲 青年 车城 沌阳 东风"
).split()

# Mobile segments (second digit 3–9). 138/139 are left to the demo seed's accounts.
MOBILE_SEGMENTS = (
    "130 131 132 133 134 135 136 137 150 151 152 153 155 156 157 158 159 "
    "166 170 171 173 175 176 177 178 180 181 182 183 184 185 186 187 188 189 "
    "190 191 193 195 196 197 198 199"
).split()

# A multiplier coprime to 10^8 spreads consecutive indexes over the 8 free digits.
_SPREAD = 48_271 * 2 + 1  # odd and not a multiple of 5


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def mobile(index: int) -> str:
    """A unique valid mainland mobile number for each index < 43 × 10^8."""
    seg = MOBILE_SEGMENTS[index % len(MOBILE_SEGMENTS)]
    body = (index // len(MOBILE_SEGMENTS) * _SPREAD + 12_345_677) % 100_000_000
    return f"{seg}{body:08d}"


def uscc(index: int, region: str) -> str:
    """A unique valid USCC (enterprise, 91 + region + organisation code + check) per index."""
    body8 = f"{(index * _SPREAD + 31_415_926) % 100_000_000:08d}"
    first17 = "91" + region + body8 + organization_code_check_char(body8)
    return first17 + uscc_check_char(first17)


def resident_id(rng: random.Random, region: str, today: date) -> str:
    born = today - timedelta(days=rng.randrange(25 * 365, 62 * 365))
    first17 = f"{region}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + resident_id_check_char(first17)


def enterprise_name(rng: random.Random, city: str, usage: str) -> str:
    suffix = rng.choice(TRADES[usage][0])
    return f"{city}{rng.choice(BRANDS)}{rng.choice(BRANDS)}{suffix}"


def street_address(rng: random.Random) -> str:
    return (
        f"{rng.choice(STREET_WORDS)}{rng.choice(STREET_SUFFIXES)}"
        f"{rng.randrange(1, 999)}号{rng.choice(('', '1 楼', '一层', '负一层', '2 栋 1 楼', '门面'))}"
    )
