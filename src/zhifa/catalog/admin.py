from django.contrib import admin

from .models import (
    Article,
    BenchmarkTier,
    DiscretionBenchmark,
    EnforcementItem,
    HearingThreshold,
    Law,
    LawVersion,
    RandomInspectionItem,
    ReviewCatalogue,
    ReviewCategoryTrigger,
    ReviewThreshold,
    ServiceGuide,
)


class LawVersionInline(admin.TabularInline):
    model = LawVersion
    extra = 0


@admin.register(Law)
class LawAdmin(admin.ModelAdmin):
    list_display = ["title", "level", "repeal_date"]
    list_filter = ["level"]
    search_fields = ["title", "code"]
    inlines = [LawVersionInline]


class ArticleInline(admin.StackedInline):
    model = Article
    extra = 0


@admin.register(LawVersion)
class LawVersionAdmin(admin.ModelAdmin):
    list_display = ["law", "label", "issuer", "effective_from", "effective_to"]
    search_fields = ["law__title"]
    inlines = [ArticleInline]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "number"]
    search_fields = ["version__law__title", "label", "text"]
    list_select_related = ["version__law"]


class ServiceGuideInline(admin.StackedInline):
    model = ServiceGuide
    extra = 0


@admin.register(EnforcementItem)
class EnforcementItemAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "category", "body", "version", "effective_from",
                    "legality_review_status"]
    list_filter = ["category", "procedure_type", "legality_review_status", "body__sector"]
    search_fields = ["code", "name", "body__name"]
    autocomplete_fields = ["legal_basis", "body"]
    inlines = [ServiceGuideInline]


@admin.register(RandomInspectionItem)
class RandomInspectionItemAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "body", "version", "effective_from"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["legal_basis", "body"]


class BenchmarkTierInline(admin.TabularInline):
    model = BenchmarkTier
    extra = 0


@admin.register(DiscretionBenchmark)
class DiscretionBenchmarkAdmin(admin.ModelAdmin):
    list_display = ["code", "violation", "sector", "region", "version", "effective_from"]
    list_filter = ["sector"]
    search_fields = ["code", "violation"]
    autocomplete_fields = ["violated_articles", "penalty_articles"]
    inlines = [BenchmarkTierInline]


class ReviewThresholdInline(admin.TabularInline):
    model = ReviewThreshold
    extra = 0


class ReviewCategoryTriggerInline(admin.TabularInline):
    model = ReviewCategoryTrigger
    extra = 0


@admin.register(ReviewCatalogue)
class ReviewCatalogueAdmin(admin.ModelAdmin):
    list_display = ["title", "body", "version", "effective_from", "review_days"]
    search_fields = ["title", "body__name"]
    inlines = [ReviewThresholdInline, ReviewCategoryTriggerInline]


@admin.register(HearingThreshold)
class HearingThresholdAdmin(admin.ModelAdmin):
    list_display = ["region", "sector", "party_type", "amount_fen", "comparator",
                    "effective_from"]
