using System.Text.Json;
using Ember.Tests.Shared;
using Microsoft.AspNetCore.Builder;

namespace Ember.Host.Tests.Infrastructure;

/// <summary>
/// A host serving two catalog ids from models Ember generates around the real tokenizers, as a user without the
/// weights would: <c>@cf/meta/llama-2-7b-chat-int8</c> around Llama 2's, <c>@cf/mistral/mistral-7b-instruct-v0.1</c>
/// around Mistral's (the tiny shape, int4, so the collection starts in seconds), each with its catalog template and limits.
/// </summary>
public sealed class RealModelsHostFixture : HostFixture
{
    /// <inheritdoc />
    protected override string ConfigJson => $$"""
        {
          "Ember": {
            "Models": {
              "@cf/meta/llama-2-7b-chat-int8": {
                "Folder": "llama-2/int4", "Variant": "Int4", "Generate": "tiny", "SequenceCap": 2,
                "Tokenizer": {{JsonSerializer.Serialize(RealTokenizers.Llama2)}}
              },
              "@cf/mistral/mistral-7b-instruct-v0.1": {
                "Folder": "mistral/int4", "Variant": "Int4", "Generate": "tiny", "SequenceCap": 2,
                "Tokenizer": {{JsonSerializer.Serialize(RealTokenizers.Mistral)}}
              }
            }
          }
        }
        """;

    /// <inheritdoc />
    protected override void Configure(WebApplicationBuilder builder) => TestRuntime.Use(builder);
}

/// <summary>The collection of <see cref="RealModelsHostFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class RealModelsHostCollectionDefinition : ICollectionFixture<RealModelsHostFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "host serving catalog ids from models around the real tokenizers";
}
