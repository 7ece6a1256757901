using System.Net;

namespace Ember.Host.Auth;

/// <summary>
/// Decides whether the host may serve without tokens: only when every address it listens on is loopback.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class ListenAddressGuard
{
    /// <summary>Tells whether a bound address (such as <c>http://127.0.0.1:8787</c>) is a loopback address.</summary>
    /// <param name="address">An address as <c>IServerAddressesFeature</c> lists it.</param>
    /// <returns><see langword="true"/> for <c>localhost</c>, <c>127.0.0.0/8</c> and <c>::1</c>; <see langword="false"/> for wildcards and anything else.</returns>
    public static bool IsLoopback(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        int scheme = address.IndexOf("://", StringComparison.Ordinal);
        string rest = scheme >= 0 ? address[(scheme + 3)..] : address;
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            rest = rest[..slash];
        }

        string host;
        if (rest.StartsWith('['))
        {
            int close = rest.IndexOf(']', StringComparison.Ordinal);
            host = close > 0 ? rest[1..close] : rest;
        }
        else
        {
            int colon = rest.LastIndexOf(':');
            host = colon >= 0 ? rest[..colon] : rest;
        }

        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(host, out IPAddress? ip) && IPAddress.IsLoopback(ip);
    }

    /// <summary>Tells whether every address is loopback.</summary>
    /// <param name="addresses">The bound addresses.</param>
    /// <returns><see langword="true"/> when there is at least one address and all are loopback.</returns>
    public static bool AllLoopback(IEnumerable<string> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        bool any = false;
        foreach (string address in addresses)
        {
            any = true;
            if (!IsLoopback(address))
            {
                return false;
            }
        }

        return any;
    }
}
