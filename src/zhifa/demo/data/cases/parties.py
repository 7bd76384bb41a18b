"""Syllables for the fictional parties of the demo cases (see ``loader.cases.parties``)."""

# Two of these make a trade name (字号), e.g. 瑞禾, 恒楚.
TRADE_CHARS = "鑫隆盛祥瑞福恒泰嘉禾源润达通宏远兴旺康佳美乐楚星辰晟昇锦益丰汇聚诚信和"

# Company kinds (行业表述) by sector; an item may name its own.
COMPANY_TRADES: dict[str, tuple[str, ...]] = {
    "market": ("商贸", "食品", "餐饮管理", "超市", "电子科技", "日用品"),
    "urban": ("餐饮管理", "建筑工程", "广告传媒", "物业管理", "装饰工程"),
    "ecology": ("化工", "环保科技", "新材料", "电镀", "纺织印染", "建材"),
    "emergency": ("机械制造", "化工", "金属制品", "物流", "建材"),
    "culture": ("文化娱乐", "娱乐", "文化传播", "网络科技"),
    "agriculture": ("农牧", "食品", "生态农业", "冷链物流"),
    "natural_resources": ("置业", "房地产开发", "建筑工程", "实业"),
    "transport": ("物流", "建筑工程", "运输", "石材"),
}

# Individual businesses (个体工商户) by sector.
SHOP_KINDS: dict[str, tuple[str, ...]] = {
    "market": ("食品店", "便利店", "卤菜店", "副食店", "百货店", "水果店", "小吃店"),
    "urban": ("烧烤店", "餐馆", "小吃店", "五金店", "建材店"),
    "ecology": ("汽车修理厂", "洗车店", "干洗店"),
    "emergency": ("五金加工店", "汽车修理厂"),
    "culture": ("网吧", "歌厅", "音像店"),
    "agriculture": ("生猪经营部", "禽蛋经营部", "肉食店"),
    "natural_resources": ("建材店", "农家乐"),
    "transport": ("水果店", "农资店", "建材店"),
}

# Two of these and a suffix make a road name, e.g. 桂塘路.
ROAD_CHARS = "桂樟榕枫竹梅荷兰杏柳松桥湖塘坪坡园冲湾岭泉溪"
ROAD_SUFFIXES = ("路", "街", "大道", "巷")

# City part of the names and addresses, by the region codes of the demo.
CITY_OF = {"430100": "长沙市", "430300": "湘潭市", "430000": "长沙市"}
DISTRICTS = {
    "430102": ("长沙市", "芙蓉区"),
    "430104": ("长沙市", "岳麓区"),
    "430302": ("湘潭市", "雨湖区"),
    "430381": ("", "湘乡市"),  # a county-level city: named on its own
}
# The counties under a city-level body where its cases happen.
DISTRICTS_UNDER = {"430100": ("430102", "430104"), "430300": ("430302", "430381"),
                   "430000": ("430102", "430104", "430302", "430381")}
# The basic people's court that hears a body's applications for enforcement (ACL art. 54).
COURTS = {
    "430102": "长沙市芙蓉区人民法院",
    "430104": "长沙市岳麓区人民法院",
    "430302": "湘潭市雨湖区人民法院",
    "430381": "湘乡市人民法院",
    "430100": "长沙市芙蓉区人民法院",
    "430300": "湘潭市雨湖区人民法院",
}
