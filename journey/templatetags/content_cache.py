"""{% published_fragment %}: reuse the HTML a published version renders to (see journey.content_cache).

    {% load content_cache %}
    {% published_fragment form case.procedure_version "risk-card" card.risk.key card.ack.value %}
      ... HTML drawn only from the version's content and the values named ...
    {% endpublished_fragment %}

`form`: when it is bound (a POST: errors and the patient's own input may show), or says it
`has_patient_input` (values restored from what the patient entered before), the body is rendered
afresh; pass None for a fragment without a form. `version`: the published version the body shows,
or None if it shows no content; a draft (preview) is never cached. Then the
fragment's name and every other value the body shows.
"""

from django import template
from django.utils.safestring import mark_safe

from journey import content_cache

register = template.Library()


class PublishedFragmentNode(template.Node):
    def __init__(self, nodelist, form, version, name, vary, template_path):
        self.nodelist, self.form, self.version, self.name, self.vary = nodelist, form, version, name, vary
        self.template_digest = content_cache.template_digest(template_path)

    def render(self, context):
        form = self.form.resolve(context)
        version = self.version.resolve(context)
        fingerprint = "" if version is None else content_cache.published_fingerprint(version)
        # A form showing the patient's own input (posted, or restored from a draft) is never cached.
        shows_input = getattr(form, "is_bound", False) or getattr(form, "has_patient_input", False)
        if shows_input or fingerprint is None or not self.template_digest:
            return self.nodelist.render(context)
        key = content_cache.fragment_key(
            self.template_digest,
            self.name.resolve(context),
            fingerprint,
            [value.resolve(context) for value in self.vary],
        )
        return mark_safe(content_cache.get_or_render(key, lambda: self.nodelist.render(context)))  # noqa: S308


@register.tag
def published_fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 4:
        raise template.TemplateSyntaxError(
            f"{bits[0]} takes a form (or None), a version (or None), a name and the values the fragment shows."
        )
    nodelist = parser.parse(("endpublished_fragment",))
    parser.delete_first_token()
    form, version, name, *vary = (parser.compile_filter(bit) for bit in bits[1:])
    origin = getattr(parser, "origin", None)
    return PublishedFragmentNode(nodelist, form, version, name, vary, getattr(origin, "name", None))
