"""Factories for people data: plausible, deterministic enough, and fast."""

import factory
from django.contrib.auth import get_user_model

from groundgame.people.models import ConsentWording, LocalGroup, Membership, Person, Purpose, StaffRole


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    status = Person.Status.MEMBER


class PersonWithUserFactory(PersonFactory):
    user = factory.SubFactory(UserFactory)


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalGroup

    name = factory.Sequence(lambda n: f"Group {n}")
    slug = factory.Sequence(lambda n: f"group-{n}")
    level = LocalGroup.Level.LOCAL
    parent = factory.LazyFunction(lambda: national_group())


def national_group() -> LocalGroup:
    group, _ = LocalGroup.objects.get_or_create(
        slug="national", defaults={"name": "National", "level": LocalGroup.Level.NATIONAL}
    )
    return group


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    person = factory.SubFactory(PersonWithUserFactory)
    group = factory.SubFactory(GroupFactory)
    role = Membership.Role.MEMBER
    status = Membership.Status.ACTIVE


def organiser_of(group: LocalGroup) -> Person:
    return MembershipFactory(group=group, role=Membership.Role.ORGANISER).person


def staff(role: str) -> Person:
    person = PersonWithUserFactory()
    StaffRole.objects.create(person=person, role=role)
    return person


def wording(purpose: str = Purpose.EMAIL) -> ConsentWording:
    item, _ = ConsentWording.objects.get_or_create(
        purpose=purpose, version=1, defaults={"text": f"Yes, contact me about {purpose}."}
    )
    return item
