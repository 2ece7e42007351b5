from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from editor import history, learning, preview, publishing, retire
from procedures.models import (
    BloodThinner,
    ChecklistItem,
    ComprehensionQuestion,
    Picture,
    PreparationStep,
    Procedure,
    ProcedureVersion,
    Risk,
    describe_stop_hours,
)
from procedures.pictures import clean_picture, refuse_if_too_large, store_picture
from procedures.readability import TARGET_GRADE, ReadabilityTextarea, reading_grade
from procedures.roles import staff_name
from procedures.services import (
    overdue_review,
    publishing_requirements,
    review_due,
    settle_translations_to_update,
)

SAMPLE_WARNING = _("Sample content: your clinic's clinicians must review it before use.")
BLOOD_THINNER_SAMPLE_WARNING = _("Sample content — to be approved by the clinic's clinicians")
FORMATTING_HELP = _(
    "Formatting: a blank line starts a new paragraph; lines starting with “- ” make a list; "
    "**double asterisks** make bold. Anything else, such as HTML, is removed before patients see it. "
    "Aim for a reading grade of 8 or below."
)
# The texts patients read, each shown with its reading grade.
PATIENT_TEXT_FIELDS = {
    "summary",
    "what_happens",
    "indications",
    "benefits",
    "alternatives",
    "recovery",
    "description",
    "instruction",
    "explanation",
    "caption",
    "questions_to_ask",
}


SPANISH_PROCEDURE_FIELDS = ("name", "summary", "what_happens", "indications", "benefits", "alternatives", "recovery")


# The editors' notes: labelled and styled (admin-content.css, `.field-editor_note`) as internal.
EDITOR_NOTE_LABEL = _("Internal note — not shown to patients")


class ReadabilityMixin:
    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in PATIENT_TEXT_FIELDS:
            kwargs["widget"] = ReadabilityTextarea(attrs={"rows": 4, "cols": 80})
        if db_field.name == "editor_note":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 80})
            kwargs["label"] = EDITOR_NOTE_LABEL
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class OrderedInline(ReadabilityMixin, admin.StackedInline):
    """One kind of item, folded shut until opened (a <details>, so it needs no JavaScript), each
    item's translations folded inside it. An inline with an error opens by itself (Django's rule)."""

    extra = 0
    show_change_link = False
    classes = ["collapse"]
    main_fields: list = []
    translated_fields: list = []

    def get_fieldsets(self, request, obj=None):
        return [
            (None, {"fields": [*self.main_fields, "editor_note"]}),
            (_("Spanish (español)"), {"fields": self.translated_fields, "classes": ["collapse"]}),
        ]


class RiskInline(OrderedInline):
    model = Risk
    main_fields = [
        "order",
        "title",
        "description",
        ("frequency", "frequency_n", "frequency_m"),
        ("source", "source_url"),
        ("severity", "is_material"),
        "severity_note",
    ]
    translated_fields = ["title_es", "description_es", "severity_note_es"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "source":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 60})
        if db_field.name in ("severity_note", "severity_note_es"):
            kwargs["widget"] = forms.TextInput(attrs={"size": 80})
        if db_field.name == "source_url":
            kwargs["assume_scheme"] = "https"  # a link typed without its scheme: https, as Django 6 will
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class PreparationStepInline(OrderedInline):
    model = PreparationStep
    main_fields = ["order", ("timing", "days_before"), "instruction"]
    translated_fields = ["timing_es", "instruction_es"]


class ChecklistItemInline(OrderedInline):
    model = ChecklistItem
    main_fields = [
        "order",
        "text",
        ("category", "required", "allow_not_applicable"),
        ("patient_question", "expected_answer"),
        "patient_prompt",
        ("ask_min_age", "ask_max_age", "ask_only_if_could_be_pregnant"),
        "asks_about_blood_thinners",
    ]
    translated_fields = ["patient_question_es", "patient_prompt_es"]


class ComprehensionQuestionInline(OrderedInline):
    model = ComprehensionQuestion
    main_fields = ["order", "question", "choices", "correct_choice", "explanation"]
    translated_fields = ["question_es", "choices_es", "explanation_es"]


class PictureForm(forms.ModelForm):
    """A picture's details, and its file: checked and cleaned when the form is (`procedures.pictures`)."""

    upload = forms.FileField(
        label=_("Picture file"),
        required=False,
        help_text=_(
            "PNG, JPEG or SVG, up to 1 MB. Photos are saved again without their hidden details (such as where "
            "they were taken); an SVG keeps only its drawing: scripts, styles, links and embedded files are "
            "removed. Leave empty to keep the picture as it is."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/svg+xml,.svg"}),
    )

    class Meta:
        model = Picture
        fields = ["order", "section", "risk", "alt_text", "caption", "alt_text_es", "caption_es", "editor_note"]
        widgets = {
            "alt_text": forms.TextInput(attrs={"size": 80}),
            "alt_text_es": forms.TextInput(attrs={"size": 80}),
            "editor_note": forms.Textarea(attrs={"rows": 2, "cols": 80}),
        }
        labels = {"editor_note": EDITOR_NOTE_LABEL}

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload:
            refuse_if_too_large(upload.size)  # before the file is read into memory
            self.cleaned_picture = clean_picture(upload.read(), upload.name)
            self.upload_name = upload.name
        elif not self.instance.file_id and self.has_changed():
            raise forms.ValidationError(_("Choose the picture's file (PNG, JPEG or SVG)."))
        return upload

    def save(self, commit=True):
        if getattr(self, "cleaned_picture", None) is not None:
            self.instance.file = store_picture(self.cleaned_picture.data, self.upload_name)
        return super().save(commit)


class PictureInline(OrderedInline):
    model = Picture
    form = PictureForm
    verbose_name_plural = _("Pictures")
    readonly_fields = ["shown_now"]
    main_fields = ["order", "shown_now", "upload", ("section", "risk"), "alt_text", "caption"]
    translated_fields = ["alt_text_es", "caption_es"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "risk":  # this procedure's risks only
            object_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            kwargs["queryset"] = Risk.objects.filter(procedure_id=object_id) if object_id else Risk.objects.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("Picture"))
    def shown_now(self, picture):
        if picture is None or not picture.file_id:
            return "—"
        url = reverse("picture", args=[f"{picture.file.sha256}.{picture.file.extension}"])
        return format_html(
            '<img src="{}" alt="" style="max-width:240px;max-height:180px;border:1px solid #ccc"> {}×{}',
            url,
            picture.file.width,
            picture.file.height,
        )


class StaffNames:
    """Who published a version, and who approved it, by their full name (as everywhere in Proceed)."""

    @admin.display(description=_("Published by"))
    def published_by_name(self, version):
        return staff_name(version.published_by) if version.published_by_id else "—"

    @admin.display(description=_("Published as not material with the approval of"))
    def approved_by_name(self, version):
        return staff_name(version.material_override_by) if version.material_override_by_id else "—"


class PublishedVersionInline(StaffNames, admin.TabularInline):
    model = ProcedureVersion
    verbose_name_plural = _("Published versions (read-only)")
    fields = [
        "number",
        "published_at",
        "published_by_name",
        "change_summary",
        "is_material",
        "short_fingerprint",
        "learning_link",
    ]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Fingerprint"))
    def short_fingerprint(self, version):
        return version.short_fingerprint

    @admin.display(description=_("How patients did"))
    def learning_link(self, version):
        url = reverse("admin:procedures_procedure_learning_version", args=[version.procedure_id, version.number])
        return format_html(
            '<a href="{}">{}</a>', url, gettext("Figures for version %(number)s") % {"number": version.number}
        )


class ProcedureForm(forms.ModelForm):
    """The procedure's own fields, and a way to confirm translations marked as needing an update."""

    confirm_translations = forms.TypedMultipleChoiceField(
        label=_("Still right"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick a translation you have checked and that needs no change; saving clears its mark."),
    )

    class Meta:
        model = Procedure
        fields = ["name"]  # the admin passes the fields of its fieldsets

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        marks = self.instance.translations_to_update if self.instance.pk else []
        if marks:
            self.fields["confirm_translations"].choices = [(index, entry["label"]) for index, entry in enumerate(marks)]
        else:
            del self.fields["confirm_translations"]


class RetiredFilter(admin.SimpleListFilter):
    """Active procedures unless asked: with no parameter the list shows only those not retired."""

    title = _("active or retired")
    parameter_name = "retired"
    ACTIVE, RETIRED, ALL = "active", "retired", "all"

    def lookups(self, request, model_admin):
        return [(self.ACTIVE, _("Active")), (self.RETIRED, _("Retired")), (self.ALL, _("All"))]

    def value(self):
        return super().value() or self.ACTIVE

    def queryset(self, request, queryset):
        if self.value() == self.RETIRED:
            return queryset.filter(retired_at__isnull=False)
        if self.value() == self.ALL:
            return queryset
        return queryset.filter(retired_at__isnull=True)  # Active, and anything unknown in the parameter

    def choices(self, changelist):
        # Django's own "All" (no parameter) would mean Active here, so each choice sets the parameter.
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


@admin.register(Procedure)
class ProcedureAdmin(ReadabilityMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "retired_label",
        "sample_label",
        "current_version_number",
        "review_status",
        "worst_reading_grade",
        "updated_at",
    ]
    list_filter = [RetiredFilter]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    form = ProcedureForm
    readonly_fields = ["sample_notice"]
    fieldsets = [
        (None, {"fields": ["sample_notice", "name", "slug", "summary", "editor_note"]}),
        (
            _("What the patient reads about the procedure"),
            {
                "fields": ["what_happens", "indications", "benefits", "alternatives", "recovery", "questions_to_ask"],
                "description": FORMATTING_HELP,
            },
        ),
        (
            _("About this leaflet"),
            {
                "fields": ["author", "clinical_reviewer", "review_by"],
                "description": _(
                    "Printed at the end of the information leaflet. After the review date, this page, the list of "
                    "procedures and the nurses' dashboard say the information is overdue for review."
                ),
            },
        ),
        (
            _("Spanish (español)"),
            {
                "fields": [f"{field}_es" for field in SPANISH_PROCEDURE_FIELDS] + ["questions_to_ask_es"],
                "description": _(
                    "Patients can choose Spanish only when every Spanish text of a published version is "
                    "filled in: these (the questions to ask, where there are any in English), and the Spanish "
                    "fields of every risk, preparation step, patient question, comprehension question and picture "
                    "below."
                ),
                "classes": ["collapse"],
            },
        ),
        (
            _("Blood-thinner planning (for nurses, not shown to patients)"),
            {
                "fields": ["bleeding_risk", "bleeding_risk_source"],
                "description": _(
                    "The class picks each blood thinner's stop interval in the clinic's table of blood thinners. "
                    "A change takes effect at once for every request, with no need to publish: nurses see the "
                    "suggested last-dose dates change, and the plans they have already confirmed stay as they are."
                ),
            },
        ),
        (_("Status"), {"fields": ["is_sample"]}),
    ]
    inlines = [
        RiskInline,
        PreparationStepInline,
        ChecklistItemInline,
        ComprehensionQuestionInline,
        PictureInline,
        PublishedVersionInline,
    ]

    change_form_template = "admin/procedures/procedure/change_form.html"

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not obj.is_sample:
            # The sample warning only where it says something: otherwise an empty row labelled ":".
            fieldsets = [
                (name, {**options, "fields": [f for f in options["fields"] if f != "sample_notice"]})
                for name, options in fieldsets
            ]
        if obj is not None and obj.translations_to_update:
            description = _(
                "These translations need an update: their English changed in a published version and they did not. "
                "Edit the translation below, or tick it here if it is still right."
            )
            fieldsets = [
                (
                    _("Translations that need an update"),
                    {"fields": ["confirm_translations"], "description": description},
                ),
                *fieldsets,
            ]
        return fieldsets

    def add_view(self, request, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "publishing_requirements": publishing_requirements()}
        return super().add_view(request, form_url, extra_context)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # After the inlines: a translation edited in one of them clears its mark too.
        confirmed = set(form.cleaned_data.get("confirm_translations") or [])
        settle_translations_to_update(form.instance, confirmed=confirmed)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("versions", "risks", "preparation_steps", "questions")

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(function)

        return [
            path("<int:pk>/preview/", view(preview.preview_procedure), name="procedures_procedure_preview"),
            path(
                "<int:pk>/preview/<str:step>/",
                view(preview.preview_procedure),
                name="procedures_procedure_preview_step",
            ),
            path(
                "<int:pk>/content-history/", view(history.content_history), name="procedures_procedure_content_history"
            ),
            path("<int:pk>/publish/", view(self.publish_view), name="procedures_procedure_publish"),
            path("<int:pk>/retire/", view(self.retire_view), name="procedures_procedure_retire"),
            path("<int:pk>/restore/", view(self.restore_view), name="procedures_procedure_restore"),
            path("<int:pk>/learning/", view(learning.learning_view), name="procedures_procedure_learning"),
            path(
                "<int:pk>/learning/<int:number>/",
                view(learning.learning_view),
                name="procedures_procedure_learning_version",
            ),
            *super().get_urls(),
        ]

    def publish_view(self, request, pk):
        return publishing.publish_view(request, pk, admin_site=self.admin_site)

    def retire_view(self, request, pk):
        return retire.retire_view(request, pk, admin_site=self.admin_site)

    def restore_view(self, request, pk):
        return retire.restore_view(request, pk, admin_site=self.admin_site)

    @admin.display(description=_("Retired"), ordering="retired_at")
    def retired_label(self, procedure):
        if not procedure.is_retired:
            return ""
        return format_html(
            '<strong class="proceed-retired-label">{}</strong>',
            gettext("Retired %(date)s") % {"date": date_format(procedure.retired_at, "j M Y")},
        )

    @admin.display(description=_("Sample content"))
    def sample_label(self, procedure):
        return gettext("Sample: review before use") if procedure.is_sample else ""

    @admin.display(description=_("Published version"))
    def current_version_number(self, procedure):
        numbers = [version.number for version in procedure.versions.all()]
        return max(numbers) if numbers else gettext("Not published")

    @admin.display(description=_("Review by"))
    def review_status(self, procedure):
        latest = max(procedure.versions.all(), key=lambda version: version.number, default=None)
        overdue = overdue_review(latest)
        if overdue:
            return format_html('<strong class="proceed-review-overdue">{}</strong>', overdue)
        due = review_due(latest)
        return date_format(due) if due else "—"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        procedure = self.get_object(request, object_id)
        overdue = overdue_review(procedure.current_version) if procedure else None
        if overdue and request.method == "GET":
            messages.warning(request, overdue)
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("Worst reading grade (target 8)"))
    def worst_reading_grade(self, procedure):
        texts = [getattr(procedure, name) for name in PATIENT_TEXT_FIELDS if hasattr(procedure, name)]
        texts += [risk.description for risk in procedure.risks.all()]
        texts += [step.instruction for step in procedure.preparation_steps.all()]
        texts += [question.explanation for question in procedure.questions.all()]
        grades = [grade for grade in map(reading_grade, texts) if grade is not None]
        if not grades:
            return "—"
        worst = max(grades)
        if worst > TARGET_GRADE:
            return format_html("<strong>{}</strong>", gettext("%(grade)s (over target)") % {"grade": worst})
        return worst

    @admin.display(description="")
    def sample_notice(self, procedure):
        if procedure is None or not procedure.is_sample:
            return ""
        return format_html('<strong class="proceed-sample-warning">{}</strong>', SAMPLE_WARNING)


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(StaffNames, admin.ModelAdmin):
    """Published versions: readable by content admins, changeable by no one."""

    list_display = [
        "procedure",
        "number",
        "published_at",
        "published_by_name",
        "is_material",
        "signed_consents",
        "change_summary",
    ]
    list_filter = ["procedure", "is_material"]
    fields = [
        "procedure",
        "number",
        "published_at",
        "published_by_name",
        "change_summary",
        "is_material",
        "approved_by_name",
        "material_override_reason",
        "fingerprint",
        "content_display",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # One subquery for the page, not a count per row. By the model's name: the consent records
        # live in the consent app, which builds on this one.
        signature = apps.get_model("consent", "Signature")
        consents = (
            signature.objects.filter(procedure_version=OuterRef("pk"), decision="consent")
            .order_by()
            .values("procedure_version")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return super().get_queryset(request).annotate(signed_consent_count=Coalesce(Subquery(consents), 0))

    @admin.display(description=_("Signed consents"), ordering="signed_consent_count")
    def signed_consents(self, version):
        return version.signed_consent_count

    @admin.display(description=_("Content as published"))
    def content_display(self, version):
        return render_to_string("procedures/version_content.html", {"content": version.content})


@admin.register(BloodThinner)
class BloodThinnerAdmin(admin.ModelAdmin):
    """The clinic's table of blood thinners: what patients pick from, and the nurses' suggested stop dates."""

    list_display = [
        "name",
        "other_names",
        "kind",
        "low_risk",
        "intermediate_risk",
        "high_risk",
        "sample_label",
        "approved_by",
        "active",
    ]
    search_fields = ["name", "other_names"]
    readonly_fields = ["sample_notice"]
    fieldsets = [
        (None, {"fields": ["sample_notice", "name", "other_names", "kind", "active"]}),
        (
            _("Stop intervals (hours from the last dose to the procedure)"),
            {
                "fields": ["stop_hours_low", "stop_hours_intermediate", "stop_hours_high", "note"],
                "description": _(
                    "72 for 3 days, 12 for 12 hours. 0: usually continued. Empty: no standard interval (the nurse is "
                    "told to ask the prescriber). Each suggestion is for the prescriber to confirm."
                ),
            },
        ),
        (_("Source and approval"), {"fields": ["source", "is_sample", "approved_by", "approved_on"]}),
    ]

    def has_delete_permission(self, request, obj=None):
        # Retire a row (untick “active”) rather than delete it: patients' answers and plans name it.
        return False

    @admin.display(description=_("Low risk"))
    def low_risk(self, drug):
        return describe_stop_hours(drug.stop_hours_low)

    @admin.display(description=_("Intermediate risk"))
    def intermediate_risk(self, drug):
        return describe_stop_hours(drug.stop_hours_intermediate)

    @admin.display(description=_("High risk"))
    def high_risk(self, drug):
        return describe_stop_hours(drug.stop_hours_high)

    @admin.display(description=_("Sample"), boolean=False)
    def sample_label(self, drug):
        return BLOOD_THINNER_SAMPLE_WARNING if drug.is_sample else ""

    @admin.display(description="")
    def sample_notice(self, drug):
        if drug is None or not drug.is_sample:
            return ""
        return format_html('<strong class="proceed-sample-warning">{}</strong>', BLOOD_THINNER_SAMPLE_WARNING)
