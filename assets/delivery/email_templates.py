"""The Jinja2 templates of the report e-mail bodies (HTML and plain text), and their environment.

The bodies live here rather than under ``report_templates/`` because they ship inside the Python
package (no package-data configuration needed) and are short. The HTML uses inline styles only,
since mail clients drop ``<style>`` blocks. Autoescaping is on for the ``.html`` template: names,
sites and findings are data, and data must print as text, never as markup.
"""

# ruff: noqa: E501 -- the template texts below keep their lines as the bodies print them

from __future__ import annotations

import jinja2

from assets.print_text import clip

REPORT_HTML = """\
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ title }}</title></head>
<body style="font-family: Arial, Helvetica, sans-serif; color: #222; font-size: 14px;">
<h1 style="font-size: 20px; margin: 0 0 4px 0;">{{ title }}</h1>
<p style="margin: 0 0 12px 0; color: #555;">Week {{ iso_week }}, status as of {{ as_of }}</p>
<p style="margin: 0 0 16px 0;">
  <span style="display: inline-block; padding: 6px 12px; border-radius: 4px;
    background: {{ verdict.background }}; color: {{ verdict.foreground }}; font-weight: bold;"
  >{{ verdict.label }}</span>
  &nbsp;<strong style="font-size: 18px;">{{ rate_phrase }}</strong>
  &mdash; {{ nonconformities }}, {{ observations }}
</p>
{% if not is_company and changes_known %}
<h2 style="font-size: 16px;">Since last week</h2>
{% if changes is none %}
<p>No snapshot of the previous week is stored, so changes are shown from next week.</p>
{% else %}
<p>{% for title, count in changes %}{{ count }} {{ title }}{% if not loop.last %} &middot; {% endif %}{% endfor %}.</p>
{% if rate_change %}<p>{{ rate_change }}</p>{% endif %}
{% endif %}
{% endif %}
{% if sites %}
<h2 style="font-size: 16px;">Sites</h2>
<table style="border-collapse: collapse; margin-bottom: 16px;">
  <thead><tr>
    <th style="text-align: left; padding: 4px 8px; border-bottom: 1px solid #999;">Site</th>
    <th style="text-align: right; padding: 4px 8px; border-bottom: 1px solid #999;">Compliant</th>
    <th style="text-align: left; padding: 4px 8px; border-bottom: 1px solid #999;">Verdict</th>
    <th style="text-align: left; padding: 4px 8px; border-bottom: 1px solid #999;">Findings</th>
  </tr></thead>
  <tbody>
  {% for line in sites %}
    <tr>
      <td style="padding: 4px 8px;">{{ line.site_name | clip(60) }} ({{ line.site }})</td>
      <td style="padding: 4px 8px; text-align: right;">{{ line.rate }}</td>
      <td style="padding: 4px 8px;">{{ line.verdict_label }}</td>
      <td style="padding: 4px 8px;">{{ line.nonconformities }}</td>
    </tr>
  {% endfor %}
  </tbody>
</table>
{% endif %}
{% if sites_without_recipients %}
<p style="color: #8a4b00;">No recipients are configured for:
  {{ sites_without_recipients | join(", ") }}. Their reports are stored, not mailed.</p>
{% endif %}
<h2 style="font-size: 16px;">People by compliance</h2>
<table style="border-collapse: collapse; margin-bottom: 16px;">
  <tbody>
  {% for label, count in counts %}
    <tr><td style="padding: 2px 8px;">{{ label }}</td>
        <td style="padding: 2px 8px; text-align: right;">{{ count }}</td></tr>
  {% endfor %}
  </tbody>
</table>
<h2 style="font-size: 16px;">Top audit findings</h2>
{% if findings %}
<ul>
  {% for finding in findings %}
  <li><strong>{{ finding.verdict }}</strong> &mdash; {% if finding.where %}{{ finding.where }} {% endif %}{{ finding.clause }} {{ finding.title }}</li>
  {% endfor %}
</ul>
{% else %}
<p>Every audit criterion conforms.</p>
{% endif %}
{% if not is_company %}
<h2 style="font-size: 16px;">Most urgent actions</h2>
{% if actions %}
<table style="border-collapse: collapse; margin-bottom: 16px;">
  <thead><tr>
    <th style="text-align: left; padding: 4px 8px; border-bottom: 1px solid #999;">Person</th>
    <th style="text-align: left; padding: 4px 8px; border-bottom: 1px solid #999;">Action</th>
    <th style="text-align: left; padding: 4px 8px; border-bottom: 1px solid #999;">When</th>
    <th style="text-align: left; padding: 4px 8px; border-bottom: 1px solid #999;">Manager</th>
  </tr></thead>
  <tbody>
  {% for action in actions %}
    <tr><td style="padding: 4px 8px;">{{ action.name | clip(60) }}{% if action.employee_id %} ({{ action.employee_id | clip(40) }}){% endif %}</td>
        <td style="padding: 4px 8px;">{{ action.action | clip(300) }}</td>
        <td style="padding: 4px 8px; white-space: nowrap;">{{ action.when }}</td>
        <td style="padding: 4px 8px;">{{ action.manager | clip(80) }}</td></tr>
  {% endfor %}
  </tbody>
</table>
{% if more_actions %}<p>&hellip; and {{ more_actions }} more in the report.</p>{% endif %}
{% else %}
<p>No action is due.</p>
{% endif %}
{% if escalation %}
<p style="margin: 0 0 16px 0;"><strong>Escalated:</strong> {{ escalation | clip(400) }}</p>
{% endif %}
{% endif %}
<p style="margin-top: 16px;">{{ pdf_note }}</p>
{% if contact %}
<p>Questions about this report: <a href="mailto:{{ contact }}">{{ contact }}</a>.</p>
{% endif %}
<p style="color: #777; font-size: 12px;">Sent automatically by the Competence pipeline.
  Replies to this address are not read{% if contact %}: write to {{ contact }} instead{% endif %}.</p>
</body>
</html>
"""

REPORT_TEXT = """\
{{ title }}
Week {{ iso_week }}, status as of {{ as_of }}

{{ verdict.label | upper }}: {{ rate_phrase }} - {{ nonconformities }}, {{ observations }}
{% if not is_company and changes_known %}

Since last week:
{% if changes is none %}
  No snapshot of the previous week is stored, so changes are shown from next week.
{% else %}
  {{ changes | map('reverse') | map('join', ' ') | join(' · ') }}.
{% if rate_change %}
  {{ rate_change }}
{% endif %}
{% endif %}
{% endif %}
{% if sites %}

Sites:
{% for line in sites %}
  - {{ line.site_name | clip(60) }} ({{ line.site }}): {{ line.rate_phrase }}, \
{{ line.verdict_label }}{% if line.nonconformities %}, {{ line.nonconformities }}{% endif %}

{% endfor %}
{% endif %}
{% if sites_without_recipients %}

No recipients are configured for: {{ sites_without_recipients | join(", ") }}.
Their reports are stored, not mailed.
{% endif %}

People by compliance:
{% for label, count in counts %}
  {{ label }}: {{ count }}
{% endfor %}

Top audit findings:
{% for finding in findings %}
  - {{ finding.verdict }} - {% if finding.where %}{{ finding.where }} {% endif %}{{ finding.clause }} {{ finding.title }}
{% else %}
  Every audit criterion conforms.
{% endfor %}
{% if not is_company %}

Most urgent actions:
{% for action in actions %}
  - {{ action.name | clip(60) }}{% if action.employee_id %} ({{ action.employee_id | clip(40) }}){% endif %}: \
{{ action.action | clip(300) }} - {{ action.when }}{% if action.manager %}, manager {{ action.manager | clip(80) }}{% endif %}

{% else %}
  No action is due.
{% endfor %}
{% if more_actions %}
  ... and {{ more_actions }} more in the report.
{% endif %}
{% if escalation %}

Escalated: {{ escalation | clip(400) }}
{% endif %}
{% endif %}

{{ pdf_note }}
{% if contact %}
Questions about this report: {{ contact }}
{% endif %}

--
Sent automatically by the Competence pipeline. Replies to this address are not read\
{% if contact %}: write to {{ contact }} instead{% endif %}.
"""

_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.DictLoader({"report.html": REPORT_HTML, "report.txt": REPORT_TEXT}),
    autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    finalize=clip,  # the backstop for any value; fields are clipped shorter above
)
_ENVIRONMENT.filters["clip"] = clip


def render_report_bodies(context: dict[str, object]) -> tuple[str, str]:
    """Render the plain-text and the HTML body of a report e-mail from the same context."""
    text = _ENVIRONMENT.get_template("report.txt").render(context)
    html = _ENVIRONMENT.get_template("report.html").render(context)
    return text, html
