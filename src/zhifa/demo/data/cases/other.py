"""Wording of the demo's coercive measures, inspections, licence applications and generic
matters, by enforcement item template (``data.items``) or random-inspection template
(``data.inspections``)."""

from typing import NamedTuple


class Measure(NamedTuple):
    phrase: str  # title: 扣押/查封 + party + phrase
    measure: str  # seal | seize
    items: str
    parties: str = "ob"


MEASURES: dict[str, Measure] = {
    "food-seizure": Measure("涉嫌不符合食品安全标准的食品", "seize",
                            "涉嫌不符合食品安全标准的散装食用植物油12桶、腊肉制品46公斤"),
    "product-seizure": Measure("涉嫌不符合国家标准的产品", "seize",
                               "涉嫌不符合国家标准的电动自行车充电器300个、插座180个"),
    "pollution-seizure": Measure("造成污染物排放的设施、设备", "seal",
                                 "违法排放污染物的喷漆房一间及配套风机、水泵各一台", "o"),
    "safety-seizure": Measure("不符合保障安全生产标准的设施、设备", "seal",
                              "未经检测的压力容器两台、不符合标准的电气焊设备四套", "o"),
}

TESTING_REASONS = (
    "委托有资质的检验机构对扣押物品进行检验，检验期间不计入扣押期限。",
    "对查封设备进行技术检测，检测期间不计入查封期限。",
)
EXTENSION_REASON = "案情复杂，检验结论尚未作出，经本机关负责人批准延长三十日。"
HANDLING = {
    "release": "经检验，涉案物品符合标准，依法解除扣押并退还当事人。",
    "confiscate": "经检验，涉案物品不符合标准，已在行政处罚决定中依法予以没收。",
    "destroy": "涉案物品不符合安全标准，依法予以销毁，并制作销毁记录。",
}


class Inspection(NamedTuple):
    findings_ok: str
    findings_problem: str
    order: str  # what the party is ordered to correct
    case_phrase: str  # the penalty case an inspection opens (title: party + phrase + 案)
    companies: tuple[str, ...] = ()  # who is inspected (else the sector's kinds)
    shops: tuple[str, ...] = ()


INSPECTIONS: dict[str, Inspection] = {
    "market": Inspection(
        "检查了许可证件、从业人员健康证明、进货查验记录和食品贮存情况，未发现问题。",
        "发现部分食品未按规定分区贮存，进货查验记录不完整。",
        "限期完善进货查验记录并规范食品贮存",
        "涉嫌经营超过保质期的食品",
        ("食品", "超市", "商贸", "餐饮管理"), ("食品店", "便利店", "副食店", "小吃店")),
    "ecology": Inspection(
        "检查了污染防治设施运行、排污许可执行报告和自行监测记录，未发现问题。",
        "发现废气治理设施活性炭未按期更换，台账记录不完整。",
        "限期更换活性炭并完善环境管理台账",
        "涉嫌超过大气污染物排放标准排放大气污染物"),
    "urban": Inspection(
        "检查了门前责任区市容环境卫生情况，未发现问题。",
        "发现门前堆放杂物，店招店牌破损。",
        "限期清理门前杂物并修复店招",
        "涉嫌擅自占用城市道路"),
    "transport": Inspection(
        "检查了公路建筑控制区和公路用地范围，未发现违法建设和占用。",
        "发现在公路用地范围内堆放砂石。",
        "限期清除公路用地范围内的堆放物",
        "涉嫌擅自占用、挖掘公路"),
    "emergency": Inspection(
        "检查了安全生产责任制、隐患排查治理记录和特种作业人员持证情况，未发现问题。",
        "发现安全出口堵塞，部分消防器材过期。",
        "限期清理安全出口并更换消防器材",
        "涉嫌未采取措施消除事故隐患"),
    "culture": Inspection(
        "检查了娱乐经营许可证、未成年人禁入标志和巡查记录，未发现问题。",
        "发现未在显著位置悬挂未成年人禁入标志。",
        "立即悬挂未成年人禁入标志",
        "涉嫌接纳未成年人"),
    "agriculture": Inspection(
        "检查了动物检疫申报、检疫证明和无害化处理记录，未发现问题。",
        "发现无害化处理记录不完整。",
        "限期完善无害化处理记录",
        "涉嫌运输未附有检疫证明的动物"),
    "natural_resources": Inspection(
        "检查了用地审批手续和实际用地范围，未发现违法用地。",
        "发现临时用地到期后未按期复垦。",
        "限期完成临时用地复垦",
        "涉嫌未经批准非法占用土地"),
}


class Licence(NamedTuple):
    subject: str  # what is applied for, after the applicant's name
    missing: str  # the one-time list of missing materials
    number: str  # licence number pattern: {region} {year} {seq}
    parties: str = "ob"


LICENCES: dict[str, Licence] = {
    "food-licence": Licence("食品经营许可申请",
                            "1. 食品安全管理制度文本；2. 经营场所平面布局图；"
                            "3. 食品安全管理人员健康证明。",
                            "JY2{region}{seq:07d}"),
    "discharge-permit": Licence("排污许可证申请",
                                "1. 自行监测方案；2. 污染防治设施运行维护台账；"
                                "3. 排污口规范化设置照片。",
                                "9143{region}{seq:06d}001P", "o"),
    "eia-approval": Licence("建设项目环境影响报告表审批申请",
                            "1. 环境影响报告表公开情况说明；2. 总量控制指标来源说明。",
                            "长环评〔{year}〕{seq}号", "o"),
    "road-temporary": Licence("临时占用城市道路申请",
                              "1. 占道施工组织方案；2. 交通疏导方案；3. 施工安全承诺书。",
                              "芙城管占道〔{year}〕{seq}号"),
    "posting-approval": Licence("张挂宣传品审批申请",
                                "1. 宣传品样稿；2. 张挂位置示意图。",
                                "芙城管宣〔{year}〕{seq}号"),
    "planning-licence": Licence("建设工程规划许可证申请",
                                "1. 建设工程设计方案总平面图；2. 建设项目用地批准文件。",
                                "建字第430300{year}{seq:05d}号", "o"),
    "highway-works": Licence("占用、挖掘公路审批申请",
                             "1. 施工方案；2. 保障公路和交通安全的措施；3. 修复方案。",
                             "潭路许〔{year}〕{seq}号", "o"),
}

PAUSE_REASONS = {
    "expert": "申请事项需组织专家评审，专家评审时间不计入许可期限。",
    "hearing": "申请事项涉及他人重大利益，依申请组织听证，听证时间不计入许可期限。",
    "testing": "需对申请人的经营场所进行现场核查和检测，检测时间不计入许可期限。",
}
EXTENSION = ("申请事项涉及面广、情况复杂，二十个工作日内不能作出决定，"
             "经本机关负责人批准延长十个工作日。")
DENIAL = "经审查，申请人的经营场所与有毒、有害场所的距离不符合要求，不予许可。"
REFUSAL = "申请事项依法不需要取得行政许可，不予受理并告知申请人。"


class Generic(NamedTuple):
    subject: str
    steps: tuple[str, ...]
    decision: str
    companies: tuple[str, ...] = ()


GENERIC: dict[str, Generic] = {
    "equipment-registration": Generic(
        "特种设备使用登记",
        ("审查使用登记表、产品合格证和监督检验证明。", "现场核对设备铭牌和使用地点。"),
        "准予办理使用登记，核发特种设备使用登记证。", ("物业管理", "商贸", "超市")),
    "road-fee": Generic(
        "城市道路占用费征收",
        ("核定占用面积和占用期限。", "计算应缴占用费并告知缴费方式。"),
        "核定应缴城市道路占用费，开具缴款通知书。", ("建筑工程", "装饰工程")),
}
