using System.Net;
using System.Net.Sockets;

namespace Ember.Host.Tests.Infrastructure;

/// <summary>Free TCP ports on the loopback address, for servers a test starts itself.</summary>
public static class LoopbackPorts
{
    /// <summary>A port no one listens on now (the OS's choice for port 0).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
