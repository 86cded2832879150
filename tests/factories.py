"""factory_boy factories for the foundation models."""

import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from secretariat.accounts.models import Donor, RoleAssignment, User
from secretariat.states.models import State, UNStanding


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.django.Password("correct horse battery staple")


class StateFactory(factory.django.DjangoModelFactory):
    """A made-up State (codes in the ISO user-assigned ranges, so never a real one)."""

    class Meta:
        model = State
        django_get_or_create = ("iso3",)

    iso3 = factory.Sequence(lambda n: f"X{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}")
    iso2 = factory.LazyAttribute(lambda o: f"X{o.iso3[2]}" if o.iso3.startswith("X") else o.iso3[:2])
    iso_numeric = factory.Sequence(lambda n: f"{900 + n % 100:03d}")
    name_en = factory.LazyAttribute(lambda o: f"State {o.iso3}")
    name_fr = factory.LazyAttribute(lambda o: f"État {o.iso3}")
    name_es = factory.LazyAttribute(lambda o: f"Estado {o.iso3}")
    name_zh = factory.LazyAttribute(lambda o: f"国家 {o.iso3}")
    un_standing = UNStanding.MEMBER
    region = "african"


class DonorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Donor
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Donor {n}")


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = "staff_admin"


def confirmed_totp_device(user):
    device, _created = TOTPDevice.objects.get_or_create(user=user, name="default", defaults={"confirmed": True})
    return device
