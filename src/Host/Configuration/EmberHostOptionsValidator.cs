using Microsoft.Extensions.Options;

namespace Ember.Host.Configuration;

/// <summary>Validates <see cref="EmberHostOptions"/> from its DataAnnotations, generated at build time.</summary>
[OptionsValidator]
public sealed partial class EmberHostOptionsValidator : IValidateOptions<EmberHostOptions>;
