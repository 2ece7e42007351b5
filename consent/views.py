from django.shortcuts import render

from procedures.roles import CONTENT_ADMINS, NURSES


def home(request):
    """What Proceed is; where patients and staff go from here."""
    user = request.user
    group_names = set(user.groups.values_list("name", flat=True)) if user.is_authenticated else set()
    return render(
        request,
        "home.html",
        {
            "is_nurse": user.is_superuser or NURSES in group_names,
            "is_content_admin": user.is_superuser or CONTENT_ADMINS in group_names,
        },
    )
