"""The sitemap: vendor hubs and public articles."""

from django.contrib.sitemaps import Sitemap

from articles.content.models import Article
from articles.content.selectors import public_vendors
from articles.facts.models import Vendor


class VendorSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return public_vendors()

    def lastmod(self, vendor: Vendor):
        return vendor.facts_changed_at


class ArticleSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Article.objects.public().select_related("vendor").order_by("pk")

    def lastmod(self, article: Article):
        return article.updated_at


SITEMAPS = {"vendors": VendorSitemap, "articles": ArticleSitemap}
