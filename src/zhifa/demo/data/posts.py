"""Posts (职务 and 职级) of the demo people: the titles found on real staff lists, never the name
of a role kind. A body's head takes the title of its leadership, a few people lead or deputise
for their department (股长, 大队长, 法制科科长 …), the others hold a civil-service rank of the
body's level (职务与职级并行, 2019); auxiliaries are 协管员. ``loader.people`` hands them out."""

# The head's title by the body's leadership group (BodySpec.leadership).
HEAD_POSTS = {
    "厅领导": "厅长",
    "局领导": "局长",
    "分局领导": "分局局长",
    "中心领导": "主任",
    "大队领导": "大队长",
}

# Chief of a department by how its name ends; longer endings first (支队 before 队).
_CHIEFS = (
    ("支队", "支队长"), ("大队", "大队长"), ("中队", "中队长"), ("办公室", "主任"),
    ("室", "主任"), ("处", "处长"), ("科", "科长"), ("股", "股长"),
)

# Ranks held below the chiefs, by the body's level.
RANKS = {
    "province": ("一级主任科员", "四级调研员", "二级主任科员", "三级主任科员"),
    "city": ("四级主任科员", "一级科员", "三级主任科员", "二级主任科员"),
    "county": ("一级科员", "四级主任科员", "科员", "二级科员"),
}

# Auxiliary staff are contract staff (协管员), not civil servants.
AUXILIARY_POST = "协管员"


def chief_of(department: str) -> str:
    for ending, title in _CHIEFS:
        if department.endswith(ending):
            return title
    raise ValueError(f"no chief title for {department}")


def deputy_of(department: str) -> str:
    return "副" + chief_of(department)
