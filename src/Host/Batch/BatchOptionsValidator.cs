using Microsoft.Extensions.Options;

namespace Ember.Host.Batch;

/// <summary>Validates <see cref="BatchOptions"/> from its annotations, every failure at once.</summary>
[OptionsValidator]
public sealed partial class BatchOptionsValidator : IValidateOptions<BatchOptions>;
