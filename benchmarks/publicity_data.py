"""Synthetic published decisions for the search benchmark (``bench_publicity``): realistic
Chinese records built from templates, with varied vocabulary, bodies, regions, categories and
dates. Deterministic for a seed. No Django import here: rows are plain tuples."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

CITIES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "430100": ("长沙市", [("430102", "芙蓉区"), ("430103", "天心区"), ("430104", "岳麓区"),
                         ("430105", "开福区"), ("430111", "雨花区"), ("430112", "望城区"),
                         ("430121", "长沙县"), ("430181", "浏阳市"), ("430182", "宁乡市")]),
    "430200": ("株洲市", [("430202", "荷塘区"), ("430203", "芦淞区"), ("430204", "石峰区"),
                         ("430211", "天元区"), ("430212", "渌口区"), ("430223", "攸县"),
                         ("430224", "茶陵县"), ("430225", "炎陵县"), ("430281", "醴陵市")]),
    "430300": ("湘潭市", [("430302", "雨湖区"), ("430304", "岳塘区"), ("430321", "湘潭县"),
                         ("430381", "湘乡市"), ("430382", "韶山市")]),
    "430400": ("衡阳市", [("430405", "珠晖区"), ("430406", "雁峰区"), ("430407", "石鼓区"),
                         ("430408", "蒸湘区"), ("430412", "南岳区"), ("430421", "衡阳县"),
                         ("430422", "衡南县"), ("430423", "衡山县"), ("430424", "衡东县"),
                         ("430426", "祁东县"), ("430481", "耒阳市"), ("430482", "常宁市")]),
    "430600": ("岳阳市", [("430602", "岳阳楼区"), ("430603", "云溪区"), ("430611", "君山区"),
                         ("430621", "岳阳县"), ("430623", "华容县"), ("430624", "湘阴县"),
                         ("430626", "平江县"), ("430681", "汨罗市"), ("430682", "临湘市")]),
    "430700": ("常德市", [("430702", "武陵区"), ("430703", "鼎城区"), ("430721", "安乡县"),
                         ("430722", "汉寿县"), ("430723", "澧县"), ("430724", "临澧县"),
                         ("430725", "桃源县"), ("430726", "石门县"), ("430781", "津市市")]),
}

# code, name, body name suffix, short name, share of the decisions
SECTORS = [
    ("market", "市场监管", "市场监督管理局", "市监", 0.40),
    ("environment", "生态环境", "生态环境分局", "环", 0.10),
    ("transport", "交通运输", "交通运输局", "交", 0.14),
    ("urban", "城市管理", "城市管理和综合执法局", "城管", 0.14),
    ("health", "卫生健康", "卫生健康局", "卫", 0.08),
    ("emergency", "应急管理", "应急管理局", "应急", 0.07),
    ("culture", "文化旅游", "文化旅游广电局", "文旅", 0.07),
]

FOODS = ["月饼", "火锅底料", "酱油", "食用植物油", "大米", "挂面", "纯牛奶", "酸奶", "猪肉",
         "鸡蛋", "豆腐", "腐乳", "辣椒酱", "白酒", "啤酒", "果汁饮料", "饼干", "面包", "蛋糕",
         "卤菜", "凉拌菜", "米粉", "小龙虾", "牛肉干", "蜂蜜", "茶叶", "食盐", "味精", "奶粉",
         "粽子", "汤圆", "速冻水饺", "腊肉", "香肠", "槟榔", "瓜子", "花生", "葡萄酒", "矿泉水",
         "方便面", "豆芽", "韭菜", "豇豆", "芹菜", "鲜鱼", "鸭脖", "冰淇淋", "糖果", "巧克力"]
PRODUCTS = ["电热水壶", "电动自行车", "插座", "电线电缆", "安全帽", "灭火器", "儿童玩具",
            "电动车头盔", "燃气灶", "电暖器", "保温杯", "复合肥料", "农药", "水泥", "钢筋",
            "内墙涂料", "童装", "医用口罩", "老花镜", "汽车轮胎", "电吹风", "充电器", "台灯",
            "学生文具", "羽绒服", "瓷砖", "防水卷材", "燃气热水器", "电饭煲", "床上用品"]
TEST_ITEMS = ["菌落总数", "大肠菌群", "过氧化值", "酸价", "铅", "苯甲酸", "山梨酸",
              "二氧化硫残留量", "黄曲霉毒素B1", "甜蜜素", "脱氢乙酸", "亚硝酸盐", "镉", "克伦特罗",
              "恩诺沙星", "毒死蜱", "腐霉利", "糖精钠", "铝的残留量", "商业无菌"]
PRODUCT_ITEMS = ["标志和说明", "泄漏电流", "耐热和耐燃", "冲击吸收性能", "纤维含量",
                 "甲醛含量", "总养分", "抗压强度", "屈服强度", "有害物质限量"]
POLLUTANTS = ["颗粒物", "二氧化硫", "氮氧化物", "挥发性有机物", "化学需氧量", "氨氮",
              "总磷", "悬浮物"]
EQUIPMENT = ["燃煤锅炉", "喷漆房", "废水处理设施", "烘干设备", "破碎机", "搅拌站"]
SPECIAL = ["电梯", "压力容器", "叉车", "起重机", "锅炉", "压力管道"]
CHANNELS = ["微信公众号", "网店商品详情页", "宣传单", "店内海报", "短视频平台账号"]
CLAIMS = ["最佳", "第一品牌", "国家级", "治愈率100%", "纯天然无添加", "销量全国第一",
          "根治", "零风险"]
VEHICLES = ["重型半挂牵引车", "普通货车", "小型客车", "中型客车", "危险货物运输车", "出租汽车"]
STREETS = ["五一大道", "解放路", "人民路", "建设路", "韶山路", "芙蓉路", "中山路", "车站路",
           "迎宾路", "滨江路", "新华路", "文化路"]
SHOPS = ["粉店", "便利店", "副食店", "超市", "餐馆", "烧烤店", "水果店", "诊所", "网吧", "宾馆",
         "五金店", "药店", "蛋糕店", "茶楼", "美容院", "汽修店", "建材店", "小吃店", "火锅店"]
INDUSTRIES = ["贸易", "食品", "餐饮管理", "商贸", "建材", "物流", "科技", "医药", "建筑工程",
              "环保科技", "汽车服务", "农业开发", "文化传媒", "酒店管理", "电子商务", "机械制造",
              "化工", "运输", "物业管理", "房地产开发", "家具", "服饰", "生物科技", "新能源"]
NAME_CHARS = "鑫盛华达源恒泰丰瑞祥福兴隆昌宏远金利通德信诚和顺安康美佳新益嘉宝天宇正博汇成创" \
             "聚鼎辉永合荣豪锦旺发湘楚星佳雅乐润景嘉明光晨力联众优品尚"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜" \
           "叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史"
AMOUNTS = [800, 1200, 1500, 2000, 2600, 3000, 3500, 4200, 5000, 6000, 6800, 8000, 9500,
           10000, 12000, 15000, 18000, 20000, 25000, 30000, 38000, 50000, 60000, 80000,
           100000, 120000, 150000, 200000, 300000, 500000]
FINES = [200, 500, 1000, 2000, 3000, 5000, 8000, 10000, 20000, 30000, 50000, 60000, 80000,
         100000, 150000, 200000, 300000, 500000, 1000000]
NUMERALS = "一二三四五六七八九十"

PARTY_ORG = "法人及非法人组织"
PARTY_PERSON = "自然人"
PARTY_BUSINESS = "个体工商户"


def _cn_number(n: int) -> str:
    if n <= 10:
        return NUMERALS[n - 1]
    if n < 20:
        return "十" + NUMERALS[n - 11]
    if n < 100:
        tens, ones = divmod(n, 10)
        return NUMERALS[tens - 1] + "十" + (NUMERALS[ones - 1] if ones else "")
    hundreds, rest = divmod(n, 100)
    out = NUMERALS[hundreds - 1] + "百"
    if rest == 0:
        return out
    if rest < 10:
        return out + "零" + NUMERALS[rest - 1]
    return out + (_cn_number(rest) if rest >= 20 else "一" + _cn_number(rest))


def _article(n: int, item: int | None = None, para: int | None = None) -> str:
    out = f"第{_cn_number(n)}条"
    if para:
        out += f"第{_cn_number(para)}款"
    if item:
        out += f"第（{_cn_number(item)}）项"
    return out


@dataclass(frozen=True)
class Body:
    index: int  # 0-based: the benchmark maps it to the database id
    name: str
    short: str
    credit_code: str
    region_code: str
    sector: str


@dataclass(frozen=True)
class Party:
    name: str
    kind: str
    credit_code: str
    representative: str


@dataclass(frozen=True)
class Record:
    body: int
    region_code: str
    category: str  # penalty / licensing / other
    decision_number: str
    decision_date: dt.date
    title: str
    party: Party
    fields: dict[str, str]
    fine: int | None  # fen
    confiscation: int | None


CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def credit_code(rng: random.Random, region: str, kind: str = "91") -> str:
    """A unified social credit code (GB 32100) with a valid check character."""
    org = "".join(rng.choice(CREDIT_ALPHABET) for _ in range(9))
    first = f"{kind}{region}{org}"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first, weights, strict=True))
    return first + CREDIT_ALPHABET[(31 - total % 31) % 31]


class World:
    """The bodies, regions and parties of the synthetic province (湖南省)."""

    def __init__(self, seed: int = 7) -> None:
        rng = random.Random(seed)
        self.regions: list[tuple[str, str, str, str]] = [("430000", "湖南省", "province", "")]
        self.bodies: list[Body] = []
        for city_code, (city, counties) in CITIES.items():
            self.regions.append((city_code, city, "city", "430000"))
            for code, name in counties:
                self.regions.append((code, name, "county", city_code))
                for sector, _label, suffix, short, _share in SECTORS:
                    self.bodies.append(Body(len(self.bodies), f"{name}{suffix}",
                                            name[0] + short, credit_code(rng, code, "11"),
                                            code, sector))
            for sector, _label, suffix, short, _share in SECTORS[:3]:
                self.bodies.append(Body(len(self.bodies), f"{city}{suffix.replace('分局', '局')}",
                                        city[0] + short, credit_code(rng, city_code, "11"),
                                        city_code, sector))
        self.by_sector: dict[str, list[Body]] = {}
        for b in self.bodies:
            self.by_sector.setdefault(b.sector, []).append(b)
        self.county_names = {code: name for code, name, level, _p in self.regions
                             if level == "county"}
        self.city_of = {code: parent for code, _n, level, parent in self.regions
                        if level == "county"}
        self.city_names = {code: name for code, name, level, _p in self.regions
                           if level == "city"}
        self.parties = self._parties(rng)

    def _parties(self, rng: random.Random) -> dict[str, list[Party]]:
        """Per county: companies, individual businesses and natural persons (masked)."""
        out: dict[str, list[Party]] = {}
        for code, county in self.county_names.items():
            city = self.city_names[self.city_of[code]]
            pool: list[Party] = []
            for _ in range(700):
                mark = rng.choice(NAME_CHARS) + rng.choice(NAME_CHARS)
                prefix = rng.choice([city[:2], county[:2], "湖南"])
                pool.append(Party(f"{prefix}{mark}{rng.choice(INDUSTRIES)}有限公司", PARTY_ORG,
                                  credit_code(rng, code), rng.choice(SURNAMES) + "某"))
            for _ in range(400):
                mark = rng.choice(NAME_CHARS) + rng.choice("记氏家园坊号轩阁")
                pool.append(Party(f"{county}{mark}{rng.choice(SHOPS)}", PARTY_BUSINESS,
                                  credit_code(rng, code, "92"), rng.choice(SURNAMES) + "某"))
            for _ in range(300):
                name = rng.choice(SURNAMES) + rng.choice(["*", "**"])
                pool.append(Party(name, PARTY_PERSON, "", ""))
            out[code] = pool
        return out


def _date_cn(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _yuan(fen: int) -> str:
    return f"{fen // 100}元"


class Generator:
    """Records for ``World``: decisions dated from ``start`` to ``end``."""

    def __init__(self, world: World, *, seed: int, start: dt.date, end: dt.date,
                 number_offset: int = 0, number_stride: int = 1) -> None:
        """Decision numbers are ``n * number_stride + number_offset`` (n = 1, 2, ... per
        body, year and kind), so that generators running apart never share one."""
        self.world = world
        self.number_offset = number_offset
        self.number_stride = number_stride
        self.rng = random.Random(seed)
        self.start = start
        self.days = (end - start).days
        self.counters: dict[tuple[int, int, str], int] = {}
        shares = [s[4] for s in SECTORS]
        self.sector_weights = [x / sum(shares) for x in shares]

    def _number(self, body: Body, kind: str, year: int) -> str:
        key = (body.index, year, kind)
        n = self.counters.get(key, 0) + 1
        self.counters[key] = n
        return f"{body.short}{kind}〔{year}〕{n * self.number_stride + self.number_offset}号"

    def record(self, decision_date: dt.date | None = None) -> Record:
        rng = self.rng
        sector = rng.choices(SECTORS, weights=self.sector_weights)[0][0]
        body = rng.choice(self.world.by_sector[sector])
        county = body.region_code if body.region_code in self.world.county_names else \
            rng.choice([c for c, p in self.world.city_of.items() if p == body.region_code])
        d = decision_date or self.start + dt.timedelta(days=rng.randrange(self.days))
        party = rng.choice(self.world.parties[county])
        roll = rng.random()
        category = "penalty" if roll < 0.72 else "licensing" if roll < 0.9 else "other"
        if category == "licensing" and party.kind == PARTY_PERSON:
            party = rng.choice(self.world.parties[county][:1100])
        if category == "penalty":
            title, facts, basis, result, fine, conf = self._penalty(sector, d, party)
            conclusion = "给予行政处罚"
            kind = "罚"
        elif category == "licensing":
            title, facts, basis, result = self._licensing(sector, d)
            conclusion, fine, conf, kind = "准予行政许可", None, None, "许"
        else:
            title, facts, basis, result = self._other(sector, d)
            conclusion, fine, conf, kind = "作出其他行政执法决定", None, None, "决"
        number = self._number(body, kind, d.year)
        fields = {
            "agency": body.name, "agency_credit_code": body.credit_code,
            "party": party.name, "party_type": party.kind,
            "party_credit_code": party.credit_code,
            "legal_representative": party.representative,
            "category": {"penalty": "行政处罚", "licensing": "行政许可",
                         "other": "其他行政执法行为"}[category],
            "conclusion": conclusion, "decision_number": number, "facts": facts,
            "basis": basis, "result": result, "decision_date": d.isoformat(),
        }
        return Record(body.index, county, category, number, d, title, party, fields, fine,
                      conf)

    def _penalty(self, sector: str, d: dt.date, party: Party
                 ) -> tuple[str, str, str, str, int | None, int | None]:
        rng = self.rng
        when = _date_cn(d - dt.timedelta(days=rng.randrange(20, 120)))
        fine = rng.choice(FINES) * 100
        conf: int | None = None
        warn = rng.random() < 0.08
        if sector == "market":
            k = rng.randrange(6)
            if k == 0:
                food = rng.choice(FOODS)
                title = f"销售不符合食品安全标准的{food}案"
                facts = (f"经查，{when}，当事人在其经营场所销售{food}，经抽样检验，"
                         f"{rng.choice(TEST_ITEMS)}项目不符合食品安全标准，"
                         f"货值金额人民币{rng.choice(AMOUNTS)}元。")
                basis = ("违反了《中华人民共和国食品安全法》第三十四条的规定，依据"
                         f"《中华人民共和国食品安全法》{_article(124, 1, 1)}")
                conf = rng.choice(AMOUNTS) * 10
            elif k == 1:
                food = rng.choice(FOODS)
                title = f"销售超过保质期的{food}案"
                facts = (f"经查，{when}，执法人员在当事人经营场所检查发现，当事人销售的"
                         f"{food}{rng.randrange(2, 60)}件已超过保质期，"
                         f"货值金额人民币{rng.choice(AMOUNTS)}元。")
                basis = ("违反了《中华人民共和国食品安全法》第三十四条第（十）项的规定，依据"
                         f"《中华人民共和国食品安全法》{_article(124, 5, 1)}")
            elif k == 2:
                product = rng.choice(PRODUCTS)
                title = f"销售不合格{product}案"
                facts = (f"经查，当事人销售的{product}经产品质量监督抽查，"
                         f"{rng.choice(PRODUCT_ITEMS)}项目不合格，"
                         f"当事人共计购进该批次{product}{rng.randrange(5, 300)}件，"
                         f"货值金额人民币{rng.choice(AMOUNTS)}元。")
                basis = ("违反了《中华人民共和国产品质量法》第三十九条的规定，依据"
                         "《中华人民共和国产品质量法》第五十条")
                conf = rng.choice(AMOUNTS) * 10
            elif k == 3:
                channel = rng.choice(CHANNELS)
                title = "发布虚假广告案"
                facts = (f"经查，当事人在其{channel}发布的{rng.choice(FOODS + PRODUCTS)}"
                         f"广告中含有“{rng.choice(CLAIMS)}”等内容，当事人无法提供证明材料，"
                         f"广告费用人民币{rng.choice(AMOUNTS)}元。")
                basis = ("违反了《中华人民共和国广告法》第九条的规定，依据"
                         "《中华人民共和国广告法》第五十七条")
            elif k == 4:
                title = "未取得食品经营许可从事食品经营案"
                facts = (f"经查，{when}起，当事人在未取得食品经营许可证的情况下，"
                         f"在{rng.choice(STREETS)}经营{rng.choice(FOODS)}等食品，"
                         f"违法所得人民币{rng.choice(AMOUNTS)}元。")
                basis = ("违反了《中华人民共和国食品安全法》第三十五条第一款的规定，依据"
                         f"《中华人民共和国食品安全法》{_article(122, None, 1)}")
                conf = rng.choice(AMOUNTS) * 10
            else:
                equip = rng.choice(SPECIAL)
                title = f"使用未经定期检验的{equip}案"
                facts = (f"经查，{when}，执法人员现场检查发现，当事人使用的{equip}"
                         f"检验有效期已届满，未申请定期检验继续使用。")
                basis = ("违反了《中华人民共和国特种设备安全法》第四十条第三款的规定，依据"
                         "《中华人民共和国特种设备安全法》第八十四条第（一）项")
        elif sector == "environment":
            k = rng.randrange(3)
            if k == 0:
                pollutant = rng.choice(POLLUTANTS)
                title = f"超标排放{pollutant}案"
                facts = (f"{when}，执法人员对当事人进行现场检查，经监测，当事人"
                         f"{rng.choice(EQUIPMENT)}排放的{pollutant}浓度超过排放标准"
                         f"{rng.randrange(2, 40) / 10}倍。")
                basis = ("违反了《中华人民共和国大气污染防治法》第十八条的规定，依据"
                         f"《中华人民共和国大气污染防治法》{_article(99, 2)}")
            elif k == 1:
                title = "建设项目未依法报批环境影响评价文件擅自开工建设案"
                facts = (f"经查，当事人{rng.choice(EQUIPMENT)}建设项目未依法报批环境影响"
                         f"评价文件，于{when}擅自开工建设，项目总投资人民币"
                         f"{rng.choice(AMOUNTS) * 10}元。")
                basis = ("违反了《中华人民共和国环境影响评价法》第二十五条的规定，依据"
                         f"《中华人民共和国环境影响评价法》{_article(31, None, 1)}")
            else:
                title = "未按规定贮存危险废物案"
                facts = (f"{when}，执法人员检查发现，当事人将废矿物油等危险废物"
                         f"露天堆放，未设置危险废物识别标志。")
                basis = ("违反了《中华人民共和国固体废物污染环境防治法》第七十七条的规定，依据"
                         "《中华人民共和国固体废物污染环境防治法》第一百一十二条")
        elif sector == "transport":
            k = rng.randrange(3)
            vehicle = rng.choice(VEHICLES)
            plate = f"湘{rng.choice('ABCDEFGHJKLMN')}{rng.randrange(10000, 99999)}"
            if k == 0:
                title = "未取得道路运输经营许可擅自从事道路运输经营案"
                facts = (f"{when}，执法人员在{rng.choice(STREETS)}检查发现，当事人驾驶"
                         f"{vehicle}（车牌号{plate}）未取得道路运输经营许可从事经营活动。")
                basis = ("违反了《中华人民共和国道路运输条例》第十条的规定，依据"
                         "《中华人民共和国道路运输条例》第六十三条")
            elif k == 1:
                title = "车辆超限运输案"
                facts = (f"{when}，当事人{vehicle}（车牌号{plate}）在国道检测站经检测，"
                         f"车货总质量超过限定标准{rng.randrange(5, 80)}%。")
                basis = ("违反了《超限运输车辆行驶公路管理规定》第三条的规定，依据"
                         "《中华人民共和国公路法》第七十六条第（五）项")
            else:
                title = "网约车未取得经营许可案"
                facts = (f"{when}，当事人使用{vehicle}（车牌号{plate}）通过网络预约出租汽车"
                         f"平台承揽客运业务，未取得网络预约出租汽车运输证。")
                basis = ("违反了《网络预约出租汽车经营服务管理暂行办法》第十三条的规定，依据"
                         "《网络预约出租汽车经营服务管理暂行办法》第三十四条")
        elif sector == "urban":
            k = rng.randrange(3)
            street = rng.choice(STREETS)
            if k == 0:
                title = "擅自占用城市道路案"
                facts = (f"{when}，当事人未经批准在{street}人行道上堆放物品经营，"
                         f"占用面积约{rng.randrange(3, 60)}平方米。")
                basis = ("违反了《城市道路管理条例》第二十七条的规定，依据"
                         "《城市道路管理条例》第四十二条")
            elif k == 1:
                title = "未取得建设工程规划许可证进行建设案"
                facts = (f"经查，当事人未取得建设工程规划许可证，于{when}在{street}"
                         f"擅自搭建建筑物，面积约{rng.randrange(10, 400)}平方米。")
                basis = ("违反了《中华人民共和国城乡规划法》第四十条的规定，依据"
                         "《中华人民共和国城乡规划法》第六十四条")
            else:
                title = "运输建筑垃圾未密闭案"
                facts = (f"{when}，当事人的渣土运输车辆在{street}运输建筑垃圾时未采取密闭"
                         f"措施，造成沿途撒漏。")
                basis = ("违反了《城市市容和环境卫生管理条例》第十五条的规定，依据"
                         "《城市市容和环境卫生管理条例》第三十四条")
        elif sector == "health":
            k = rng.randrange(3)
            if k == 0:
                title = "公共场所未取得卫生许可证经营案"
                facts = (f"经查，当事人自{when}起在未取得公共场所卫生许可证的情况下从事"
                         f"{rng.choice(['住宿', '美容美发', '沐浴', '游泳'])}服务。")
                basis = ("违反了《公共场所卫生管理条例》第八条的规定，依据"
                         "《公共场所卫生管理条例实施细则》第三十五条")
            elif k == 1:
                title = "使用非卫生技术人员从事医疗卫生技术工作案"
                facts = (f"{when}，执法人员检查发现，当事人使用{rng.randrange(1, 5)}名"
                         f"未取得执业资格的人员从事诊疗活动。")
                basis = ("违反了《医疗机构管理条例》第二十七条的规定，依据"
                         "《医疗机构管理条例》第四十七条")
            else:
                title = "生活饮用水不符合卫生标准案"
                item = rng.choice(["浑浊度", "菌落总数", "余氯"])
                facts = f"经抽样检测，当事人供应的生活饮用水{item}指标不符合国家卫生标准。"
                basis = ("违反了《生活饮用水卫生监督管理办法》第六条的规定，依据"
                         "《生活饮用水卫生监督管理办法》第二十六条")
        elif sector == "emergency":
            k = rng.randrange(2)
            if k == 0:
                title = "未按规定对从业人员进行安全生产教育和培训案"
                facts = (f"{when}，执法人员检查发现，当事人未对{rng.randrange(2, 30)}名"
                         f"从业人员进行安全生产教育和培训，且未如实记录。")
                basis = ("违反了《中华人民共和国安全生产法》第二十八条的规定，依据"
                         f"《中华人民共和国安全生产法》{_article(97, 3)}")
            else:
                title = "未经许可经营烟花爆竹案"
                facts = (f"经查，当事人于{when}在未取得烟花爆竹经营（零售）许可证的情况下"
                         f"销售烟花爆竹{rng.randrange(3, 80)}箱。")
                basis = ("违反了《烟花爆竹安全管理条例》第三条的规定，依据"
                         "《烟花爆竹安全管理条例》第三十六条")
        else:
            k = rng.randrange(2)
            if k == 0:
                title = "互联网上网服务营业场所接纳未成年人案"
                facts = (f"{when}，执法人员检查发现，当事人经营的网吧接纳"
                         f"{rng.randrange(1, 6)}名未成年人进入营业场所上网。")
                basis = ("违反了《互联网上网服务营业场所管理条例》第二十一条的规定，依据"
                         "《互联网上网服务营业场所管理条例》第三十一条")
            else:
                title = "旅行社未与旅游者签订旅游合同案"
                facts = (f"经查，当事人组织{rng.randrange(10, 60)}名旅游者赴"
                         f"{rng.choice(['张家界', '凤凰古城', '韶山', '岳阳楼', '衡山'])}旅游，"
                         f"未与旅游者签订书面旅游合同。")
                basis = ("违反了《中华人民共和国旅游法》第五十七条的规定，依据"
                         "《中华人民共和国旅游法》第九十六条")
        if warn:
            result, fine, conf = "给予警告。", None, None
        else:
            result = f"罚款人民币{_yuan(fine)}"
            if conf:
                result = f"没收违法所得人民币{_yuan(conf)}，并处{result}"
            result += "。"
        if party.kind == PARTY_PERSON:
            facts = facts.replace("当事人", f"当事人{party.name}", 1)
        return title, facts, basis, result, (None if warn else fine), conf

    def _licensing(self, sector: str, d: dt.date) -> tuple[str, str, str, str]:
        rng = self.rng
        licence, law = {
            "market": ("食品经营许可", "《中华人民共和国食品安全法》第三十五条"),
            "environment": ("排污许可", "《排污许可管理条例》第十一条"),
            "transport": ("道路货物运输经营许可", "《中华人民共和国道路运输条例》第二十四条"),
            "urban": ("城市建筑垃圾处置核准", "《城市建筑垃圾管理规定》第七条"),
            "health": ("公共场所卫生许可", "《公共场所卫生管理条例》第八条"),
            "emergency": ("烟花爆竹经营（零售）许可", "《烟花爆竹安全管理条例》第十九条"),
            "culture": ("营业性演出许可", "《营业性演出管理条例》第六条"),
        }[sector]
        when = _date_cn(d - dt.timedelta(days=rng.randrange(3, 20)))
        years = rng.choice([3, 5])
        title = f"{licence}"
        facts = (f"申请人于{when}提交{licence}申请，经审查，申请材料齐全、符合法定形式，"
                 f"{rng.choice(['经现场核查符合条件', '符合法定条件和标准', '经审查符合要求'])}。")
        return title, facts, f"依据{law}", f"准予{licence}，有效期{years}年。"

    def _other(self, sector: str, d: dt.date) -> tuple[str, str, str, str]:
        rng = self.rng
        if rng.random() < 0.5:
            goods = rng.choice(FOODS + PRODUCTS)
            return ("查封扣押决定",
                    f"当事人涉嫌经营不符合安全标准的{goods}，为防止证据损毁，"
                    f"对其{rng.randrange(2, 200)}件{goods}予以扣押。",
                    "依据《中华人民共和国行政强制法》第二十三条",
                    f"扣押{goods}，期限三十日。")
        return ("不予行政处罚决定",
                "当事人违法行为轻微并及时改正，没有造成危害后果。",
                "依据《中华人民共和国行政处罚法》第三十三条第一款",
                "不予行政处罚，并责令改正。")


def records(world: World, n: int, *, seed: int, start: dt.date, end: dt.date,
            number_offset: int = 0, number_stride: int = 1) -> Iterator[Record]:
    """``n`` records in ascending decision order (so ids follow publication order, as in
    production where records are published as decisions are made)."""
    gen = Generator(world, seed=seed, start=start, end=end, number_offset=number_offset,
                    number_stride=number_stride)
    days = (end - start).days
    per_day = n / days
    made = 0
    for day in range(days):
        target = round(per_day * (day + 1))
        d = start + dt.timedelta(days=day)
        while made < target:
            yield gen.record(d)
            made += 1
