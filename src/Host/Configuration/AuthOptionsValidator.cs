using Microsoft.Extensions.Options;

namespace Ember.Host.Configuration;

/// <summary>Checks that every configured token is usable: not blank, no surrounding white space.</summary>
public sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        for (int i = 0; i < options.Tokens.Count; i++)
        {
            string token = options.Tokens[i];
            if (string.IsNullOrWhiteSpace(token))
            {
                failures.Add($"Auth:Tokens:{i} is empty.");
            }
            else if (token.Trim().Length != token.Length)
            {
                failures.Add($"Auth:Tokens:{i} has leading or trailing white space.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
