"""Small tags for the page frame: ``{% load jamsos_web %}`` then ``{% jamsos_version %}``."""

from django import template

import jamsos

register = template.Library()


@register.simple_tag
def jamsos_version() -> str:
    return jamsos.__version__
