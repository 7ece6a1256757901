using Microsoft.Extensions.Options;

namespace Ember.Runtime.Options;

/// <summary>The source-generated check of <see cref="EmberOptions"/>' own DataAnnotations (the KV cache budget's range).</summary>
[OptionsValidator]
internal sealed partial class EmberOptionsAnnotationsValidator : IValidateOptions<EmberOptions>
{
}
