using System.ComponentModel.DataAnnotations;

namespace Ember.Host.Configuration;

/// <summary>The HTTP host's settings, bound from the <c>Host</c> configuration section.</summary>
public sealed class EmberHostOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Host";

    /// <summary>The default body limit: 1 MiB.</summary>
    public const long DefaultMaxRequestBodyBytes = 1024 * 1024;

    /// <summary>The smallest body limit allowed: 1 KiB.</summary>
    public const long MinMaxRequestBodyBytes = 1024;

    /// <summary>The largest body limit allowed: 64 MiB.</summary>
    public const long MaxMaxRequestBodyBytes = 64L * 1024 * 1024;

    /// <summary>The default shutdown wait: 5 minutes, the default request timeout, so a stop lets any request finish.</summary>
    public const string DefaultShutdownTimeout = "00:05:00";

    /// <summary>The longest request line (method, path and query) Kestrel reads: 64 KiB; beyond it Kestrel answers 414 with an empty body.</summary>
    public const int MaxRequestLineBytes = 64 * 1024;

    /// <summary>The default number of glibc malloc arenas: 2 (see <see cref="MallocArenas"/>).</summary>
    public const int DefaultMallocArenas = 2;

    /// <summary>The address the host listens on when neither <c>--urls</c> nor configuration names one.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8787";

    /// <summary>Gets or sets the largest request body accepted, in bytes; larger bodies get 413 (code 3006).</summary>
    /// <value>Between 1 KiB and 64 MiB; <see cref="DefaultMaxRequestBodyBytes"/> by default. Kestrel enforces it too.</value>
    [Range(MinMaxRequestBodyBytes, MaxMaxRequestBodyBytes)]
    public long MaxRequestBodyBytes { get; set; } = DefaultMaxRequestBodyBytes;

    /// <summary>Gets or sets how long a stop (Ctrl+C, a service stop) waits for running requests before it cuts them off.</summary>
    /// <value>From 0 to 1 hour; <see cref="DefaultShutdownTimeout"/> by default. A service manager's own stop timeout must be longer.</value>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.Parse(DefaultShutdownTimeout, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Gets or sets how many malloc arenas glibc may use on Linux, set once at start: glibc's default (8 a core) let the
    /// RSS creep up under sustained load as its arenas fragmented.
    /// </summary>
    /// <value>From 0 to 256; 0 leaves glibc's default; <see cref="DefaultMallocArenas"/> by default. The <c>MALLOC_ARENA_MAX</c> environment variable, where set, wins.</value>
    [Range(0, 256)]
    public int MallocArenas { get; set; } = DefaultMallocArenas;
}
