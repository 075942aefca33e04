from greentech.core.permissions import PublicReferencePolicy, register
from greentech.taxonomy.models import Category, CodePattern, Scheme

for model in (Scheme, Category, CodePattern):
    register(model, PublicReferencePolicy())
