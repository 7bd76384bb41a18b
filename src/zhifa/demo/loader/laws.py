"""Legal provisions: every version of every law, oldest first, so each new version closes the
previous one; each version names the organ that adopted it. The articles of the latest version
are what the catalogues cite."""

from zhifa.catalog.models import Article
from zhifa.catalog.services import law_version_create

from ..data.laws import all_laws, article_label
from . import LoadContext


def load(ctx: LoadContext) -> None:
    for law in all_laws():
        version = None
        for spec in sorted(law.versions, key=lambda v: v.effective):
            version = law_version_create(
                actor=None, law_code=law.code, title=law.title, level=law.level,
                issuer=spec.issuer, label=spec.label, effective_from=spec.effective,
                promulgated_date=spec.promulgated, document_number=spec.document_number,
                articles=[(n, article_label(n), text) for n, text in sorted(spec.articles.items())],
            )
        assert version is not None
        for article in Article.objects.filter(version=version):
            ctx.articles[(law.code, article.number)] = article
