using Ember.Host.Diagnostics;

namespace Ember.Host.Tests.Diagnostics;

public sealed class GlibcMallocTests
{
    [Fact]
    public void LimitArenas_OnLinuxWithoutTheVariable_IsTakenByGlibc()
    {
        Assert.True(OperatingSystem.IsLinux(), "Ember's CI runs on Linux with glibc");
        Assert.Null(Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX"));

        Assert.True(GlibcMalloc.LimitArenas(2));
    }

    [Fact]
    public void LimitArenas_Zero_LeavesGlibcAlone() => Assert.False(GlibcMalloc.LimitArenas(0));
}
