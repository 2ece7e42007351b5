"""A nurse looks after a request: assigned from the case page, found with "Only the requests assigned to me"."""

from __future__ import annotations

from django.urls import reverse

from consent.models import AuditEvent
from procedures.roles import NURSES
from tests.conftest import make_user


def test_a_nurse_assigns_a_request_and_finds_it_under_mine(client, nurse, case_a, case_b, content_admin):
    client.force_login(nurse)
    assign = reverse("staff:assign", args=[case_a.request.public_id])

    client.post(assign, {"assignee": nurse.pk})
    refused = client.post(assign, {"assignee": content_admin.pk}, follow=True)

    case_a.refresh()
    assert case_a.request.assigned_to == nurse
    assert "Choose a nurse from the list." in refused.content.decode()
    assert AuditEvent.objects.filter(action="assigned", request=case_a.request).count() == 1
    mine = client.get(reverse("staff:index"), {"mine": "1"}).content.decode()
    everyone = client.get(reverse("staff:index")).content.decode()
    assert "Ana María López" in mine and "Bob Brown" not in mine
    assert "Ana María López" in everyone and "Bob Brown" in everyone
    assert "Only the requests assigned to me" in everyone


def test_another_nurse_can_be_chosen_and_the_assignment_cleared(client, nurse, django_user_model, case_a):
    colleague = make_user(django_user_model, "olu.nurse", group=NURSES)
    colleague.first_name, colleague.last_name = "Olu", "Ade"
    colleague.save()
    client.force_login(nurse)
    assign = reverse("staff:assign", args=[case_a.request.public_id])
    page = client.get(reverse("staff:case", args=[case_a.request.public_id])).content.decode()
    assert "Olu Ade" in page and "Assign to me" in page

    client.post(assign, {"assignee": colleague.pk})
    case_a.refresh()
    assert case_a.request.assigned_to == colleague
    client.post(assign, {"assignee": ""})
    case_a.refresh()
    assert case_a.request.assigned_to is None
    assert client.get(assign).status_code == 405
