using Ember.Host.Catalog;
using Ember.Models.Catalog;

namespace Ember.Host.Tests.Catalog;

public sealed class ModelIdentityTests
{
    [Fact]
    public void NameBased_Rfc4122Example_MatchesKnownAnswer()
    {
        // Version-5 UUID of "www.example.com" in the DNS namespace.
        Guid dns = new("6ba7b810-9dad-11d1-80b4-00c04fd430c8");

        Assert.Equal(new Guid("2ed6657d-e927-568b-95e1-2665a8aea6a2"), ModelIdentity.NameBased(dns, "www.example.com"));
    }

    [Fact]
    public void For_SameName_SameVersion5Guid()
    {
        Guid first = ModelIdentity.For(ModelCatalog.Llama2ChatInt8Id);

        Assert.Equal(first, ModelIdentity.For(ModelCatalog.Llama2ChatInt8Id));
        Assert.Equal(5, first.Version);
        Assert.Contains(first.ToString()[19], "89ab");
    }

    [Fact]
    public void For_EveryCatalogModel_Distinct()
    {
        Assert.Equal(ModelCatalog.All.Count, ModelCatalog.All.Select(entry => ModelIdentity.For(entry.Id)).Distinct().Count());
    }

    [Fact]
    public void For_TinyModel_IsPinned()
    {
        // Pinned (computed independently with Python's uuid.uuid5) so that ids clients stored never change.
        Assert.Equal(new Guid("1918ad9a-e1cd-5918-8117-d6e31687835a"), ModelIdentity.For(ModelCatalog.TinyLlamaId));
    }
}
