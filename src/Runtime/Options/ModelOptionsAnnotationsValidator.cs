using Microsoft.Extensions.Options;

namespace Ember.Runtime.Options;

/// <summary>The source-generated check of <see cref="ModelOptions"/>' DataAnnotations (ranges, required folder).</summary>
[OptionsValidator]
internal sealed partial class ModelOptionsAnnotationsValidator : IValidateOptions<ModelOptions>
{
}
