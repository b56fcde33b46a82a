"""Form rendering in the house style: label, input, help and field-level errors in one block."""

from django.forms.renderers import TemplatesSetting


class TongqiFormRenderer(TemplatesSetting):
    form_template_name = "web/forms/form.html"
    field_template_name = "web/forms/field.html"
