"""Random-inspection items (双随机、一公开 lists) per sector, and service guides for the
licensing items. Ratios and frequencies are demo values an agency would set itself."""

from typing import NamedTuple

from .laws.environment import ENVIRONMENT
from .laws.market import FOOD, PRICE, PRODUCT
from .laws.other import ANIMAL, ENTERTAINMENT, WORK_SAFETY
from .laws.planning import CITY_APPEARANCE, HIGHWAY, LAND


class InspectionSpec(NamedTuple):
    key: str
    name: str
    objects: str
    method: str
    basis: tuple[tuple[str, int], ...]
    ratio_percent: int
    frequency: str


_SITE = "现场检查、书面检查"

INSPECTIONS: dict[str, list[InspectionSpec]] = {
    "market": [
        InspectionSpec("food-sales", "食品销售者监督检查", "食品销售经营者", _SITE,
                       ((FOOD, 110),), 5, "每年不少于1次"),
        InspectionSpec("price-tagging", "明码标价情况检查", "商品零售及服务经营者", _SITE,
                       ((PRICE, 13),), 3, "每年1次"),
        InspectionSpec("product-sampling", "产品质量监督抽查", "产品生产者、销售者",
                       "抽样检验", ((PRODUCT, 15),), 2, "每年1次"),
    ],
    "ecology": [
        InspectionSpec("discharge-units", "排污单位监督检查", "排污许可重点管理和简化管理单位",
                       "现场检查、执法监测", ((ENVIRONMENT, 24),), 10, "每年不少于2次"),
    ],
    "urban": [
        InspectionSpec("street-order", "沿街店铺市容环境卫生检查", "临街经营单位",
                       "现场检查", ((CITY_APPEARANCE, 14),), 5, "每季度1次"),
    ],
    "transport": [
        InspectionSpec("highway-zone", "公路建筑控制区和公路用地检查", "公路沿线单位和个人",
                       "现场检查", ((HIGHWAY, 69),), 5, "每半年1次"),
    ],
    "emergency": [
        InspectionSpec("work-safety", "工贸企业安全生产检查", "工贸行业生产经营单位",
                       "现场检查、查阅资料", ((WORK_SAFETY, 65),), 10, "每年1次"),
    ],
    "culture": [
        InspectionSpec("venues", "娱乐场所经营活动检查", "歌舞娱乐、游艺娱乐场所", "现场检查",
                       ((ENTERTAINMENT, 3),), 10, "每年1次"),
    ],
    "agriculture": [
        InspectionSpec("quarantine", "动物及动物产品检疫申报检查",
                       "畜禽屠宰厂（场）、经营和运输者", "现场检查、查验证明",
                       ((ANIMAL, 49),), 10, "每年2次"),
    ],
    "natural_resources": [
        InspectionSpec("land-use", "建设用地批后监管检查", "取得建设用地的单位",
                       "现场勘测、书面检查",
                       ((LAND, 67),), 5, "每年1次"),
    ],
}


class GuideSpec(NamedTuple):
    conditions: str
    materials: str
    process: str
    time_limit_text: str


_PROCESS = "申请—受理—审查—决定—送达（可通过湖南政务服务网在线申请）"

GUIDES: dict[str, GuideSpec] = {
    "food-licence": GuideSpec(
        "具有与经营的食品品种、数量相适应的经营场所、设施设备，有专职或者兼职的食品安全管理"
        "人员和保证食品安全的规章制度，具有合理的设备布局和工艺流程。",
        "食品经营许可申请书；营业执照复印件；与食品经营相适应的主要设备设施布局、操作流程"
        "等文件；食品安全自查、从业人员健康管理、进货查验记录等制度。",
        _PROCESS, "法定时限20个工作日，承诺时限10个工作日"),
    "discharge-permit": GuideSpec(
        "依法实行排污许可管理的企业事业单位和其他生产经营者，污染防治设施及排放符合要求。",
        "排污许可证申请表；自行监测方案；守法承诺书；污染物排放口和监测点位示意图。",
        _PROCESS, "法定时限20个工作日"),
    "eia-approval": GuideSpec(
        "建设项目依法应当编制环境影响报告表，符合生态环境准入要求。",
        "建设项目环境影响报告表审批申请；环境影响报告表（全本及公开版）。",
        _PROCESS, "收到报告表之日起30日内"),
    "road-temporary": GuideSpec(
        "因特殊情况确需临时占用城市道路，且不影响交通安全和城市道路设施。",
        "临时占用城市道路申请表；占道位置平面图；公安交通管理部门意见。",
        _PROCESS, "法定时限20个工作日，承诺时限5个工作日"),
    "posting-approval": GuideSpec(
        "宣传品内容合法，张挂、张贴位置、期限符合市容管理要求。",
        "申请表；宣传品样稿；张挂、张贴位置示意图及期限说明。",
        _PROCESS, "法定时限20个工作日，承诺时限3个工作日"),
    "highway-works": GuideSpec(
        "因建设工程确需占用、挖掘公路或者使公路改线，并已制定安全保障和恢复方案。",
        "申请书；设计图纸及施工方案；交通安全保障方案；公路恢复方案。",
        _PROCESS, "法定时限20个工作日"),
    "entertainment-licence": GuideSpec(
        "开办人员和场所选址符合《娱乐场所管理条例》的规定，场所面积、设施符合有关标准。",
        "申请书；投资人、法定代表人、主要负责人身份证明及无违法犯罪记录承诺；场所平面图及"
        "房屋使用证明；营业执照复印件。",
        _PROCESS, "法定时限20个工作日"),
    "planning-licence": GuideSpec(
        "建设项目已取得用地手续，设计方案符合控制性详细规划和规划条件。",
        "建设工程规划许可证申请表；土地使用权属证明；建设工程设计方案；规划条件。",
        _PROCESS, "法定时限20个工作日"),
    "law-firm": GuideSpec(
        "有自己的名称、住所和章程，有符合规定的律师，设立人有一定的执业经历，有符合规定的"
        "资产。",
        "设立申请书；律师事务所名称、章程；律师名单、简历、身份证明、律师执业证书；住所证明；"
        "资产证明。",
        "设区的市级司法行政部门受理并审查—省级司法行政部门审核决定—颁发执业许可证书",
        "市级审查20日，省级审核10日"),
}
