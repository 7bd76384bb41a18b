"""Enforcement bodies of the demo province. Names follow real naming patterns; the bodies'
data (credit codes, staff, catalogues) are fictional.

Kinds follow 行政处罚法 arts. 17-20: administrative organs, organisations authorised by law
(e.g. highway administrations under 公路法 art. 8) and organisations entrusted by an organ
(whose supervising body is the entrusting organ).
"""

from typing import NamedTuple

ORGAN = "administrative_organ"
AUTHORISED = "authorised_organisation"
ENTRUSTED = "entrusted_organisation"


class Staff(NamedTuple):
    officers: int
    auxiliaries: int
    reviewers: int
    heads: int = 1
    supervisors: int = 0


PROVINCE_STAFF = Staff(officers=3, auxiliaries=0, reviewers=1)
CITY_STAFF = Staff(officers=4, auxiliaries=1, reviewers=1)
COUNTY_STAFF = Staff(officers=4, auxiliaries=2, reviewers=1)
JUSTICE_STAFF = Staff(officers=1, auxiliaries=0, reviewers=1, supervisors=3)


# Deputy heads (副局长 …) of the bodies whose demo cases are discussed collectively (集体讨论,
# APL art. 57 §2: the heads discuss; at least two attend).
DEPUTIES = {"fr-market": 2, "yl-ecology": 1}


class BodySpec(NamedTuple):
    key: str
    name: str
    short_name: str
    sector: str
    kind: str
    level: str
    region: str
    supervisor: str | None
    staff: Staff
    handling: tuple[str, ...]
    legal_office: str
    leadership: str
    is_supervisory: bool = False
    # Region whose people's government hears reconsideration, when not the body's own
    # (a city bureau's district branch answers to the city government).
    reconsideration_region: str | None = None


BODIES: list[BodySpec] = [
    # --- Province -------------------------------------------------------------------------
    BodySpec("hn-market", "湖南省市场监督管理局", "湘市监", "market", ORGAN, "province",
             "430000", None, PROVINCE_STAFF,
             ("食品经营安全监督管理处", "产品质量安全监督管理处", "执法稽查处"),
             "法规处", "局领导"),
    BodySpec("hn-ecology", "湖南省生态环境厅", "湘环", "ecology", ORGAN, "province",
             "430000", None, PROVINCE_STAFF,
             ("大气生态环境处", "水生态环境处", "生态环境执法监督处"), "法规与标准处", "厅领导"),
    BodySpec("hn-justice", "湖南省司法厅", "湘司", "justice", ORGAN, "province",
             "430000", None, JUSTICE_STAFF,
             ("行政执法协调监督处", "律师工作管理处"), "法制审核处", "厅领导",
             is_supervisory=True),
    BodySpec("hn-transport", "湖南省交通运输厅", "湘交", "transport", ORGAN, "province",
             "430000", None, PROVINCE_STAFF,
             ("公路管理处", "综合执法监督处"), "政策法规处", "厅领导"),
    BodySpec("hn-highway", "湖南省公路事务中心", "湘公路", "transport", AUTHORISED, "province",
             "430000", "hn-transport", PROVINCE_STAFF,
             ("路政管理科", "公路养护科"), "法规科", "中心领导"),
    # --- 长沙市 ----------------------------------------------------------------------------
    BodySpec("cs-market", "长沙市市场监督管理局", "长市监", "market", ORGAN, "city",
             "430100", "hn-market", CITY_STAFF,
             ("食品经营安全监督管理科", "价格监督检查和反不正当竞争科",
              "市场监管综合行政执法支队"), "法规科", "局领导"),
    BodySpec("cs-ecology", "长沙市生态环境局", "长环", "ecology", ORGAN, "city",
             "430100", "hn-ecology", CITY_STAFF,
             ("大气环境管理科", "环境影响评价与排放管理科", "生态环境保护综合行政执法支队"),
             "政策法规科", "局领导"),
    BodySpec("cs-justice", "长沙市司法局", "长司", "justice", ORGAN, "city",
             "430100", "hn-justice", JUSTICE_STAFF,
             ("行政执法协调监督科", "律师工作科"), "法制审核科", "局领导",
             is_supervisory=True),
    BodySpec("cs-urban", "长沙市城市管理和综合执法局", "长城管", "urban", ORGAN, "city",
             "430100", None, CITY_STAFF,
             ("市容环境卫生管理科", "城市管理综合执法支队"), "政策法规科", "局领导"),
    # --- 芙蓉区 ----------------------------------------------------------------------------
    BodySpec("fr-market", "长沙市芙蓉区市场监督管理局", "芙市监", "market", ORGAN, "county",
             "430102", "cs-market", Staff(officers=7, auxiliaries=3, reviewers=2),
             ("食品安全监管股", "特种设备安全监察股", "市场监管综合行政执法大队"),
             "法制审核科", "局领导"),
    BodySpec("fr-urban", "长沙市芙蓉区城市管理和综合执法局", "芙城管", "urban", ORGAN, "county",
             "430102", "cs-urban", COUNTY_STAFF,
             ("市容环境卫生管理股", "城市管理综合执法大队"), "法制股", "局领导"),
    # --- 岳麓区 ----------------------------------------------------------------------------
    BodySpec("yl-market", "长沙市岳麓区市场监督管理局", "岳市监", "market", ORGAN, "county",
             "430104", "cs-market", COUNTY_STAFF,
             ("食品安全监管股", "特种设备安全监察股", "市场监管综合行政执法大队"),
             "法规股", "局领导"),
    BodySpec("yl-ecology", "长沙市生态环境局岳麓分局", "长环岳", "ecology", ORGAN, "county",
             "430104", "cs-ecology", COUNTY_STAFF,
             ("综合股", "生态环境保护综合行政执法大队"), "法制股", "分局领导",
             reconsideration_region="430100"),
    BodySpec("yl-culture", "长沙市岳麓区文化旅游体育局", "岳文旅", "culture", ORGAN, "county",
             "430104", None, COUNTY_STAFF,
             ("文化市场管理股", "文物和旅游股"), "法制股", "局领导"),
    BodySpec("yl-culture-team", "长沙市岳麓区文化市场综合行政执法大队", "岳文执", "culture",
             ENTRUSTED, "county", "430104", "yl-culture", COUNTY_STAFF,
             ("执法一中队", "执法二中队"), "法制审核室", "大队领导"),
    BodySpec("yl-emergency", "长沙市岳麓区应急管理局", "岳应急", "emergency", ORGAN, "county",
             "430104", None, COUNTY_STAFF,
             ("安全生产执法股", "危险化学品安全监督管理股"), "法制股", "局领导"),
    # --- 湘潭市 ----------------------------------------------------------------------------
    BodySpec("xt-market", "湘潭市市场监督管理局", "潭市监", "market", ORGAN, "city",
             "430300", "hn-market", CITY_STAFF,
             ("食品经营安全监督管理科", "价格监督检查和反不正当竞争科",
              "市场监管综合行政执法支队"), "法规科", "局领导"),
    BodySpec("xt-justice", "湘潭市司法局", "潭司", "justice", ORGAN, "city",
             "430300", "hn-justice", JUSTICE_STAFF,
             ("行政执法协调监督科", "律师工作科"), "法制审核科", "局领导",
             is_supervisory=True),
    BodySpec("xt-resources", "湘潭市自然资源和规划局", "潭资规", "natural_resources", ORGAN,
             "city", "430300", None, CITY_STAFF,
             ("国土空间规划科", "自然资源执法监察支队"), "政策法规科", "局领导"),
    BodySpec("xt-highway", "湘潭市公路建设养护中心", "潭公路", "transport", AUTHORISED, "city",
             "430300", "hn-highway", CITY_STAFF,
             ("路政管理科", "养护管理科"), "法规科", "中心领导"),
    # --- 雨湖区 ----------------------------------------------------------------------------
    BodySpec("yh-market", "湘潭市雨湖区市场监督管理局", "雨市监", "market", ORGAN, "county",
             "430302", "xt-market", COUNTY_STAFF,
             ("食品安全监管股", "特种设备安全监察股", "市场监管综合行政执法大队"),
             "法规股", "局领导"),
    # --- 湘乡市 ----------------------------------------------------------------------------
    BodySpec("xx-agriculture", "湘乡市农业农村局", "湘乡农", "agriculture", ORGAN, "county",
             "430381", None, COUNTY_STAFF,
             ("畜牧水产股", "种植业管理股"), "法规股", "局领导"),
    BodySpec("xx-agriculture-team", "湘乡市农业综合行政执法大队", "湘乡农执", "agriculture",
             ENTRUSTED, "county", "430381", "xx-agriculture", COUNTY_STAFF,
             ("执法一中队", "执法二中队"), "法制审核室", "大队领导"),
    BodySpec("xx-emergency", "湘乡市应急管理局", "湘乡应急", "emergency", ORGAN, "county",
             "430381", None, COUNTY_STAFF,
             ("安全生产执法股", "危险化学品安全监督管理股"), "法规股", "局领导"),
]

# The accounts of the demo logins (except the supervisor) all work in this body.
ACCOUNTS_BODY = "fr-market"
SUPERVISOR_BODY = "cs-justice"
