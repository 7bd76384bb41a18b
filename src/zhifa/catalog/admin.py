"""The Django admin of the catalogues, for system administrators.

The admin changes no catalogue row in place. Every existing version is read-only: one in force
or past is what decisions relied on, and editing one not yet in force would skip the checks of
``catalog.services`` (tier order, articles in force, scope). "Add" is the way to a new version
and calls the entry's ``*_create`` service, which closes the version before it; a refusal is
shown on the form, with what was typed kept. The legality review of an item is recorded by an
action that calls ``item_record_legality_review``.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.forms.formsets import BaseFormSet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from zhifa.core.errors import ApplicationError
from zhifa.orgs.models import Department

from .models import (
    Article,
    BenchmarkTier,
    DiscretionBenchmark,
    EnforcementItem,
    HearingThreshold,
    Law,
    LawLevel,
    LawVersion,
    RandomInspectionItem,
    ReviewCatalogue,
    ReviewCategoryTrigger,
    ReviewThreshold,
    ServiceGuide,
)
from .services import (
    ThresholdIn,
    TierIn,
    benchmark_create,
    hearing_threshold_create,
    inspection_item_create,
    item_create,
    item_record_legality_review,
    law_version_create,
    review_catalogue_create,
    service_guide_create,
)

_REFUSAL = "_zhifa_catalog_refusal"


def _rows(formsets: list[BaseFormSet], model: type[Model]) -> list[dict[str, Any]]:
    """The filled-in, not deleted rows of the inline of ``model``."""
    return [
        data
        for formset in formsets
        if getattr(formset, "model", None) is model
        for data in formset.cleaned_data
        if data and not data.get("DELETE")
    ]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows are shown, never changed or deleted here."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class VersionAdmin(ReadOnlyAdmin):
    """Existing versions are read-only; "add" creates a version through ``create``."""

    add_fields: tuple[str, ...] = ()

    def render_change_form(self, request: HttpRequest, context: dict[str, Any],
                           *args: Any, **kwargs: Any) -> Any:
        # The object tool of ``admin/catalog/version_change_form.html``.
        context["new_version_label"] = _("New version")
        return super().render_change_form(request, context, *args, **kwargs)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """``?from=<pk>`` ("new version" on a version's page): the add form starts with that
        version's fields and legal basis; only the effective date is left to fill in."""
        initial = super().get_changeform_initial_data(request)
        initial.pop("from", None)
        source_pk = request.GET.get("from")
        if not source_pk:
            return initial
        try:
            source = self.get_queryset(request).filter(pk=source_pk).first()
        except (ValueError, ValidationError):
            return initial
        if source is None:
            return initial
        for name in self.add_fields:
            if name == "effective_from":
                continue
            field = self.model._meta.get_field(name)
            if field.many_to_many:
                initial[name] = [o.pk for o in getattr(source, name).all()]
            elif field.is_relation:
                initial[name] = getattr(source, field.attname)  # type: ignore[union-attr]
            else:
                initial[name] = getattr(source, name)
        return initial

    def create(self, request: HttpRequest, form: forms.ModelForm,
               formsets: list[BaseFormSet]) -> Model:
        raise NotImplementedError

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return list(self.add_fields) if obj is None else super().get_fields(request, obj)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False,
                 **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        refusal: ApplicationError | None = getattr(request, _REFUSAL, None)
        if refusal is None:
            return form

        class Refused(form):  # type: ignore[valid-type,misc]
            def clean(self) -> Any:
                super().clean()
                raise ValidationError(refusal.message, code=refusal.code)

        return Refused

    def changeform_view(self, request: HttpRequest, object_id: str | None = None,
                        form_url: str = "", extra_context: Any = None) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as refusal:
            if object_id is not None or request.method != "POST":
                raise
            # The service refused (and its transaction rolled back): show the form again with
            # what was typed and the refusal as the form's error.
            setattr(request, _REFUSAL, refusal)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def construct_change_message(self, request: HttpRequest, form: Any, formsets: Any,
                                 add: bool = False) -> Any:
        # The inlines were not saved as formsets but given to the service.
        return [{"added": {}}]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Nothing: ``save_related`` creates the version once the inlines are read too."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any,
                     change: bool) -> None:
        created = self.create(request, form, formsets)
        # The admin goes on with the form's instance (message, log entry, redirect).
        instance = form.instance
        for f in created._meta.concrete_fields:
            setattr(instance, f.attname, getattr(created, f.attname))
        instance._state.adding = False


class NewVersionInline(admin.TabularInline):
    """Rows of a new version, filled in on "add"; shown read-only afterwards."""

    def get_extra(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> int:
        return 3 if obj is None else 0


# --- Legal provisions -----------------------------------------------------------------------
class LawVersionInline(admin.TabularInline):
    model = LawVersion
    extra = 0
    fields = ["label", "issuer", "document_number", "effective_from", "effective_to"]


@admin.register(Law)
class LawAdmin(ReadOnlyAdmin):
    """A law is created with its first text (``law_version_create``, "add" on versions)."""

    list_display = ["title", "level", "repeal_date"]
    list_filter = ["level"]
    search_fields = ["title", "code"]
    inlines = [LawVersionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class ArticleInline(NewVersionInline):
    model = Article
    fields = ["number", "label", "text"]


class LawVersionAddForm(forms.ModelForm):
    law_code = forms.SlugField(label=_("law code"), max_length=64,
                               help_text=_("Code of the law; a new code adds a new law."))
    title = forms.CharField(label=_("title"), max_length=200, required=False,
                            help_text=_("Required for a new law; a revision may rename it."))
    level = forms.ChoiceField(label=_("level"), choices=[("", "---------"), *LawLevel.choices],
                              required=False)

    class Meta:
        model = LawVersion
        fields = ["label", "issuer", "document_number", "promulgated_date", "effective_from"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        law = Law.objects.filter(code=data.get("law_code", "")).first()
        for key in ("title", "level"):
            if not data.get(key):
                if law is None:
                    self.add_error(key, _("Required for a new law."))
                else:
                    data[key] = getattr(law, key)
        return data


@admin.register(LawVersion)
class LawVersionAdmin(VersionAdmin):
    list_display = ["law", "label", "issuer", "effective_from", "effective_to"]
    search_fields = ["law__title"]
    inlines = [ArticleInline]
    add_fields = ("law_code", "title", "level", "label", "issuer", "document_number",
                  "promulgated_date", "effective_from")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False,
                 **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = LawVersionAddForm
        return super().get_form(request, obj, change, **kwargs)

    def create(self, request: HttpRequest, form: forms.ModelForm,
               formsets: list[BaseFormSet]) -> Model:
        d = form.cleaned_data
        return law_version_create(
            actor=request.user, law_code=d["law_code"], title=d["title"], level=d["level"],
            issuer=d["issuer"], label=d["label"], effective_from=d["effective_from"],
            document_number=d["document_number"], promulgated_date=d["promulgated_date"],
            articles=[(a["number"], a["label"], a["text"]) for a in _rows(formsets, Article)],
        )


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdmin):
    """Articles come with their version; the text in force is never edited."""

    list_display = ["__str__", "number"]
    search_fields = ["version__law__title", "label", "text"]
    list_select_related = ["version__law"]

    def get_search_results(self, request: HttpRequest, queryset: Any,
                           search_term: str) -> Any:
        queryset, distinct = super().get_search_results(request, queryset, search_term)
        return queryset.select_related("version__law"), distinct

    @staticmethod
    def autocomplete_label(article: Article) -> str:
        """"《食品安全法》（2021年修正）第三十五条": the version tells two texts apart."""
        return f"《{article.version.law.title}》（{article.version.label}）{article.label}"
    list_select_related = ["version__law"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


# --- Enforcement items ----------------------------------------------------------------------
class ServiceGuideInline(admin.StackedInline):
    model = ServiceGuide
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # through the service guide's own "add"


OFFICE_FIELDS = ("accepting_office", "deciding_office")


class EnforcementItemAddForm(forms.ModelForm):
    """The accepting and deciding offices must be departments of the chosen body (as
    ``item_create`` requires); said on the fields, before the service is called."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        body = cleaned.get("body")
        for name in OFFICE_FIELDS:
            office = cleaned.get(name)
            if office is not None and body is not None and office.body_id != body.pk:
                self.add_error(name, _("Choose a department of the chosen enforcement body."))
        return cleaned


@admin.register(EnforcementItem)
class EnforcementItemAdmin(VersionAdmin):
    form = EnforcementItemAddForm
    change_form_template = "admin/catalog/version_change_form.html"

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest,
                                 **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name in OFFICE_FIELDS and field is not None:
            # Grouped by body, so that an office of the wrong body is hard to pick.
            groups: dict[str, list[tuple[Any, str]]] = {}
            for department in Department.objects.select_related("body").order_by(
                    "body__name", "name"):
                groups.setdefault(department.body.name, []).append(
                    (department.pk, department.name))
            field.choices = [("", "---------"), *groups.items()]
        return field

    list_display = ["code", "name", "category", "body", "version", "effective_from",
                    "legality_review_status"]
    list_filter = ["category", "procedure_type", "legality_review_status", "body__sector"]
    search_fields = ["code", "name", "body__name"]
    autocomplete_fields = ["legal_basis", "body"]
    list_select_related = ["body"]
    inlines = [ServiceGuideInline]
    actions = ["record_legality_review_passed"]
    # The legality review is recorded by the action below, never typed in.
    add_fields = ("body", "code", "name", "category", "procedure_type", "effective_from",
                  "legal_basis", "basis_text", "accepting_office", "deciding_office",
                  "time_limit", "time_limit_unit", "reconsideration_body",
                  "reconsideration_days", "litigation_court", "litigation_months")

    def create(self, request: HttpRequest, form: forms.ModelForm,
               formsets: list[BaseFormSet]) -> Model:
        d = form.cleaned_data
        return item_create(
            actor=request.user, body=d["body"], code=d["code"], name=d["name"],
            category=d["category"], procedure_type=d["procedure_type"],
            effective_from=d["effective_from"], legal_basis=d["legal_basis"],
            basis_text=d["basis_text"], accepting_office=d["accepting_office"],
            deciding_office=d["deciding_office"], time_limit=d["time_limit"],
            time_limit_unit=d["time_limit_unit"],
            reconsideration_body=d["reconsideration_body"],
            reconsideration_days=d["reconsideration_days"],
            litigation_court=d["litigation_court"], litigation_months=d["litigation_months"],
        )

    @admin.action(description=_("Record the legality review as passed today"))
    def record_legality_review_passed(self, request: HttpRequest,
                                      queryset: QuerySet[EnforcementItem]) -> None:
        today = timezone.localdate()
        done = 0
        for item in queryset.select_related("body"):
            try:
                item_record_legality_review(actor=request.user, item=item, passed=True,
                                            reviewed_on=today)
            except ApplicationError as exc:
                self.message_user(request, f"{item}: {exc.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, ngettext(
                "The legality review of %(count)d item was recorded as passed on %(date)s.",
                "The legality review of %(count)d items was recorded as passed on %(date)s.",
                done,
            ) % {"count": done, "date": today.isoformat()}, messages.SUCCESS)


@admin.register(ServiceGuide)
class ServiceGuideAdmin(VersionAdmin):
    list_display = ["item", "version", "effective_from", "effective_to"]
    search_fields = ["item__name", "item__code"]
    autocomplete_fields = ["item"]
    add_fields = ("item", "conditions", "materials", "process", "time_limit_text", "fees",
                  "location", "phone", "effective_from")

    def create(self, request: HttpRequest, form: forms.ModelForm,
               formsets: list[BaseFormSet]) -> Model:
        d = form.cleaned_data
        return service_guide_create(
            actor=request.user, item=d["item"], conditions=d["conditions"],
            materials=d["materials"], process=d["process"],
            time_limit_text=d["time_limit_text"], effective_from=d["effective_from"],
            fees=d["fees"], location=d["location"], phone=d["phone"],
        )


@admin.register(RandomInspectionItem)
class RandomInspectionItemAdmin(VersionAdmin):
    list_display = ["code", "name", "body", "version", "effective_from"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["legal_basis", "body"]
    add_fields = ("body", "code", "name", "inspection_objects", "method", "legal_basis",
                  "basis_text", "ratio_percent", "frequency", "effective_from")

    def create(self, request: HttpRequest, form: forms.ModelForm,
               formsets: list[BaseFormSet]) -> Model:
        d = form.cleaned_data
        return inspection_item_create(
            actor=request.user, body=d["body"], code=d["code"], name=d["name"],
            inspection_objects=d["inspection_objects"], method=d["method"],
            effective_from=d["effective_from"], legal_basis=d["legal_basis"],
            basis_text=d["basis_text"], ratio_percent=d["ratio_percent"],
            frequency=d["frequency"],
        )


# --- Discretion benchmarks ------------------------------------------------------------------
class BenchmarkTierInline(NewVersionInline):
    model = BenchmarkTier
    fields = ["tier", "conditions", "min_value", "max_value", "penalty_kinds",
              "other_measures"]


@admin.register(DiscretionBenchmark)
class DiscretionBenchmarkAdmin(VersionAdmin):
    change_form_template = "admin/catalog/version_change_form.html"
    list_display = ["code", "violation", "sector", "region", "version", "effective_from"]
    list_filter = ["sector"]
    search_fields = ["code", "violation"]
    autocomplete_fields = ["violated_articles", "penalty_articles"]
    inlines = [BenchmarkTierInline]
    add_fields = ("code", "violation", "sector", "region", "issuing_body", "violated_text",
                  "penalty_text", "violated_articles", "penalty_articles", "amount_unit",
                  "statutory_min", "statutory_max", "source_document", "effective_from")

    def create(self, request: HttpRequest, form: forms.ModelForm,
               formsets: list[BaseFormSet]) -> Model:
        d = form.cleaned_data
        tiers = [
            TierIn(tier=t["tier"], conditions=t["conditions"], min_value=t["min_value"],
                   max_value=t["max_value"], penalty_kinds=list(t["penalty_kinds"] or []),
                   other_measures=t["other_measures"])
            for t in _rows(formsets, BenchmarkTier)
        ]
        return benchmark_create(
            actor=request.user, code=d["code"], violation=d["violation"], sector=d["sector"],
            region=d["region"], issuing_body=d["issuing_body"],
            violated_text=d["violated_text"], penalty_text=d["penalty_text"],
            violated_articles=d["violated_articles"], penalty_articles=d["penalty_articles"],
            amount_unit=d["amount_unit"], statutory_min=d["statutory_min"],
            statutory_max=d["statutory_max"], source_document=d["source_document"],
            effective_from=d["effective_from"], tiers=tiers,
        )


# --- Legal review catalogues and hearing thresholds -----------------------------------------
class ReviewThresholdInline(NewVersionInline):
    model = ReviewThreshold
    fields = ["party_type", "amount_fen", "comparator", "counts_confiscation"]


class ReviewCategoryTriggerInline(NewVersionInline):
    model = ReviewCategoryTrigger

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # ``review_catalogue_create`` takes the triggers without notes.
        return ["trigger"] if obj is None else ["trigger", "note"]


@admin.register(ReviewCatalogue)
class ReviewCatalogueAdmin(VersionAdmin):
    list_display = ["title", "body", "version", "effective_from", "review_days"]
    search_fields = ["title", "body__name"]
    inlines = [ReviewThresholdInline, ReviewCategoryTriggerInline]
    add_fields = ("body", "code", "title", "review_days", "extension_days", "source_document",
                  "effective_from")

    def create(self, request: HttpRequest, form: forms.ModelForm,
               formsets: list[BaseFormSet]) -> Model:
        d = form.cleaned_data
        return review_catalogue_create(
            actor=request.user, body=d["body"], code=d["code"], title=d["title"],
            review_days=d["review_days"], extension_days=d["extension_days"],
            source_document=d["source_document"], effective_from=d["effective_from"],
            thresholds=[
                ThresholdIn(party_type=t["party_type"], amount_fen=t["amount_fen"],
                            comparator=t["comparator"],
                            counts_confiscation=t["counts_confiscation"])
                for t in _rows(formsets, ReviewThreshold)
            ],
            triggers=[t["trigger"] for t in _rows(formsets, ReviewCategoryTrigger)],
        )


@admin.register(HearingThreshold)
class HearingThresholdAdmin(VersionAdmin):
    list_display = ["region", "sector", "party_type", "amount_fen", "comparator",
                    "effective_from"]
    add_fields = ("region", "sector", "party_type", "amount_fen", "comparator",
                  "source_document", "effective_from")

    def create(self, request: HttpRequest, form: forms.ModelForm,
               formsets: list[BaseFormSet]) -> Model:
        d = form.cleaned_data
        return hearing_threshold_create(
            actor=request.user, region=d["region"], sector=d["sector"],
            party_type=d["party_type"], amount_fen=d["amount_fen"],
            comparator=d["comparator"], source_document=d["source_document"],
            effective_from=d["effective_from"],
        )


class LabelledAutocompleteJsonView(AutocompleteJsonView):
    """Autocomplete results labelled by the model admin's ``autocomplete_label`` where it has
    one (articles show their law version), else by ``str``."""

    def serialize_result(self, obj: Any, to_field_name: str) -> dict[str, Any]:
        result = super().serialize_result(obj, to_field_name)
        label = getattr(self.model_admin, "autocomplete_label", None)
        if label is not None:
            result["text"] = label(obj)
        return result


def _autocomplete_view(request: HttpRequest) -> HttpResponse:
    return LabelledAutocompleteJsonView.as_view(admin_site=admin.site)(request)


admin.site.autocomplete_view = _autocomplete_view  # type: ignore[method-assign]
