using System.Globalization;
using System.Text.Json;
using Ember.Host.Configuration;
using Ember.Host.Routing;
using Ember.Host.Tests.Infrastructure;
using Ember.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.EventLog;
using Microsoft.Extensions.Options;

namespace Ember.Host.Tests.Deploy;

/// <summary>
/// <c>deploy/windows/install-service.ps1</c> and <c>uninstall-service.ps1</c>, read by real PowerShell (the pwsh of
/// <c>.config/dotnet-tools.json</c>): they parse, their syntax tree holds the steps docs/deployment.md promises, every change
/// is skipped by -WhatIf and every native tool's exit code is checked, and on Linux both stop, changing nothing, with
/// "Windows only".
/// </summary>
public sealed class WindowsServiceScriptsTests
{
    private const string Install = "install-service.ps1";
    private const string Uninstall = "uninstall-service.ps1";

    private static readonly string Folder = Path.Combine(ReadmeHostFixture.RepositoryRoot, "deploy", "windows");
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(120);
    private static readonly Lazy<Task<IReadOnlyDictionary<string, ScriptFacts>>> Facts =
        new(() => ScriptFacts.ReadAsync(Path.Combine(Folder, Install), Path.Combine(Folder, Uninstall)));

    /// <summary>The commands that change the machine (native tools do not honour -WhatIf themselves).</summary>
    private static readonly string[] ChangingCommands =
    [
        "New-Service", "Set-Service", "Start-Service", "Stop-Service", "Restart-Service", "Remove-Service",
        "New-Item", "Remove-Item", "Set-Item", "Set-ItemProperty", "New-ItemProperty", "Remove-ItemProperty", "Set-Acl",
        "sc.exe", "icacls",
    ];

    /// <summary>The methods that change the machine, by how their names end.</summary>
    private static readonly string[] ChangingMethods = ["::CreateEventSource", "::DeleteEventSource", ".Stop", ".Start", ".SetAccessControl"];

    private static readonly string[] NativeTools = ["sc.exe", "icacls"];

    [Theory]
    [InlineData(Install)]
    [InlineData(Uninstall)]
    public async Task Script_Parses_WithoutErrors(string script)
    {
        ScriptFacts facts = await FactsOf(script);

        Assert.Empty(facts.ParseErrors);
        Assert.True(facts.Statements > 0, "The parser found no statements.");
    }

    [Theory]
    [InlineData(Install)]
    [InlineData(Uninstall)]
    public async Task Script_HasHelp_ForEveryParameter(string script)
    {
        ScriptFacts facts = await FactsOf(script);

        Assert.False(string.IsNullOrWhiteSpace(facts.Synopsis), "Get-Help finds no comment-based help (it must come before #Requires).");
        Assert.All(facts.Parameters, parameter => Assert.Contains(parameter.Name, facts.DocumentedParameters, StringComparer.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData(Install)]
    [InlineData(Uninstall)]
    public async Task Script_RequiresAdministrator_StrictMode_StopOnErrors_AndWhatIf(string script)
    {
        ScriptFacts facts = await FactsOf(script);

        Assert.True(facts.RequiresElevation, "#Requires -RunAsAdministrator is missing.");
        Assert.True(facts.SupportsShouldProcess, "[CmdletBinding(SupportsShouldProcess)] is missing.");
        Assert.Single(facts.CallsOf("Set-StrictMode"));
        Assert.Contains(new ScriptFacts.Assignment("ErrorActionPreference", "Stop"), facts.Assignments);
    }

    [Theory]
    [InlineData(Install)]
    [InlineData(Uninstall)]
    public async Task Script_DefaultServiceName_IsEmberHostServiceName(string script)
    {
        ScriptFacts facts = await FactsOf(script);

        Assert.Equal(EmberHost.ServiceName, facts.ParameterNamed("ServiceName").Default);
    }

    [Theory]
    [InlineData(Install)]
    [InlineData(Uninstall)]
    public async Task Script_EveryChange_IsSkippedByWhatIf(string script)
    {
        ScriptFacts facts = await FactsOf(script);

        ScriptFacts.Call[] changes = [.. facts.Calls.Where(IsChange)];
        Assert.NotEmpty(changes);
        Assert.All(changes, change => Assert.True(change.ShouldProcess, $"Not under $PSCmdlet.ShouldProcess: {change}"));
    }

    [Theory]
    [InlineData(Install)]
    [InlineData(Uninstall)]
    public async Task Script_EveryNativeTool_HasItsExitCodeChecked(string script)
    {
        ScriptFacts facts = await FactsOf(script);

        ScriptFacts.Call[] natives = [.. facts.Calls.Where(call => NativeTools.Contains(call.Name, StringComparer.OrdinalIgnoreCase))];
        Assert.NotEmpty(natives);
        Assert.All(natives, native => Assert.True(native.ExitCodeChecked, $"No $LASTEXITCODE check after: {native}"));
        Assert.All(facts.Functions.Where(function => function.ReadsLastExitCode), checker => Assert.True(checker.Throws, $"{checker.Name} reads $LASTEXITCODE but never throws."));
    }

    [Fact]
    public async Task Install_ChecksTheProgramAndTheConfiguration_BeforeAnyChange()
    {
        ScriptFacts facts = await FactsOf(Install);
        int firstChange = facts.Calls.Where(IsChange).Min(call => call.Line);

        Assert.Contains(facts.CallsOf("Join-Path"), call => call.Arguments.SequenceEqual(["$InstallFolder", "Ember.Host.exe"]));
        Assert.Contains(facts.CallsOf("Join-Path"), call => call.Arguments.SequenceEqual(["$InstallFolder", EmberHost.DefaultConfigFile]));
        foreach (string file in new[] { "$exe", "$configFile" })
        {
            Assert.Contains(facts.CallsOf("Test-Path"), call => call.Arguments.Contains(file) && call.Line < firstChange);
        }
    }

    [Fact]
    public async Task Install_CreatesTheEventSource_InTheApplicationLog_WhenMissing()
    {
        ScriptFacts facts = await FactsOf(Install);

        ScriptFacts.Call create = Assert.Single(facts.CallsOf("[System.Diagnostics.EventLog]::CreateEventSource"));
        ScriptFacts.Call source = Assert.Single(facts.CallsOf("[System.Diagnostics.EventSourceCreationData]::new"));
        Assert.Equal(["$ServiceName", "Application"], source.Arguments);
        Assert.Contains("-not [System.Diagnostics.EventLog]::SourceExists($ServiceName)", create.Conditions);
        Assert.True(create.ShouldProcess);
    }

    [Fact]
    public async Task Install_CreatesTheServiceWithNewService()
    {
        ScriptFacts facts = await FactsOf(Install);

        ScriptFacts.Call create = Assert.Single(facts.CallsOf("New-Service"));
        Assert.Equal("$ServiceName", ArgumentOf(create, "-Name"));
        Assert.Equal("$binaryPath", ArgumentOf(create, "-BinaryPathName"));
        Assert.Equal("$DisplayName", ArgumentOf(create, "-DisplayName"));
        Assert.Equal("$Description", ArgumentOf(create, "-Description"));
        Assert.Contains("$StartMode", ArgumentOf(create, "-StartupType"), StringComparison.Ordinal);
        Assert.StartsWith("\"$exe\"", Assert.Single(facts.Assignments, assignment => assignment.Variable == "binaryPath").Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_SetsRecovery_ThreeRestarts_AndFailureActionsOnNonZeroExit()
    {
        ScriptFacts facts = await FactsOf(Install);

        ScriptFacts.Call failure = Assert.Single(facts.CallsOf("sc.exe"), call => call.Arguments[0] == "failure");
        ScriptFacts.Call flag = Assert.Single(facts.CallsOf("sc.exe"), call => call.Arguments[0] == "failureflag");
        Assert.Equal(["failure", "$ServiceName", "reset=", "86400", "actions=", "restart/5000/restart/5000/restart/30000"], failure.Arguments);
        Assert.Equal(["failureflag", "$ServiceName", "1"], flag.Arguments);
        Assert.All(new[] { failure, flag }, call => Assert.True(call.ShouldProcess && call.ExitCodeChecked, call.ToString()));
    }

    [Fact]
    public async Task Install_WaitsForReadyz_ByDefaultOnTheHostsDefaultUrl()
    {
        ScriptFacts facts = await FactsOf(Install);

        Assert.Contains(new ScriptFacts.Assignment("DefaultUrl", EmberHostOptions.DefaultUrl), facts.Assignments);
        Assert.Contains(facts.Strings, text => text.EndsWith(ApiRoutes.Ready, StringComparison.Ordinal));
        ScriptFacts.Call wait = Assert.Single(facts.CallsOf("Invoke-WebRequest"));
        Assert.Equal("$readyUrl", ArgumentOf(wait, "-Uri"));
        Assert.True(wait.ShouldProcess, wait.ToString());
    }

    [Fact]
    public async Task Install_ReadyUrl_IsTheFirstConfiguredUrl_AWildcardAskedOnLoopback()
    {
        string defaultReady = EmberHostOptions.DefaultUrl + ApiRoutes.Ready;
        var cases = new Dictionary<string, string>
        {
            ["{}"] = defaultReady,
            ["""{"Urls": "http://0.0.0.0:9000"}"""] = "http://127.0.0.1:9000/readyz",
            ["""{"Urls": "http://*:9001;http://localhost:9002"}"""] = "http://127.0.0.1:9001/readyz",
            ["""{"Urls": "http://[::]:9003/"}"""] = "http://[::1]:9003/readyz",
            ["""{"Urls": "https://+:9004"}"""] = "https://127.0.0.1:9004/readyz",
            ["""{"Urls": "http://10.1.2.3:9005"}"""] = "http://10.1.2.3:9005/readyz",
            ["not json"] = defaultReady,
        };
        string folder = Directory.CreateTempSubdirectory("ember-ready-url-").FullName;
        try
        {
            var files = cases.Keys.Select((content, index) => (Content: content, File: Path.Combine(folder, $"{index}.json"))).ToArray();
            foreach ((string content, string file) in files)
            {
                await File.WriteAllTextAsync(file, content);
            }

            // Get-ReadyUrl and $DefaultUrl taken from the script's syntax tree, then run on each file.
            string command = $$"""
                $ErrorActionPreference = 'Stop'
                $WarningPreference = 'SilentlyContinue'
                $ast = [System.Management.Automation.Language.Parser]::ParseFile('{{Path.Combine(Folder, Install)}}', [ref] $null, [ref] $null)
                foreach ($definition in @(
                        $ast.Find({ param($n) $n -is [System.Management.Automation.Language.AssignmentStatementAst] -and $n.Left.Extent.Text -eq '$DefaultUrl' }, $false),
                        $ast.Find({ param($n) $n -is [System.Management.Automation.Language.FunctionDefinitionAst] -and $n.Name -eq 'Get-ReadyUrl' }, $false))) {
                    . ([scriptblock]::Create($definition.Extent.Text))
                }
                ConvertTo-Json -Compress -InputObject @(foreach ($file in @({{string.Join(", ", files.Select(f => $"'{f.File}'"))}})) { Get-ReadyUrl $file })
                """;
            ProcessResult run = await PowerShellTool.RunAsync(["-Command", command], RunTimeout);

            Assert.True(run.ExitCode == 0, $"pwsh failed ({run.ExitCode}):\n{run.Stderr}\n{run.Stdout}");
            string[] urls = JsonSerializer.Deserialize<string[]>(run.Stdout)!;
            Assert.Equal(files.Select(f => cases[f.Content]), urls);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Uninstall_StopsWaitingLongerThanTheShutdownDrain_ThenDeletesTheService()
    {
        ScriptFacts facts = await FactsOf(Uninstall);
        TimeSpan drain = TimeSpan.Parse(EmberHostOptions.DefaultShutdownTimeout, CultureInfo.InvariantCulture);

        Assert.True(int.Parse(facts.ParameterNamed("StopTimeoutSec").Default!, CultureInfo.InvariantCulture) > drain.TotalSeconds, $"StopTimeoutSec must exceed Host:ShutdownTimeout's {drain}.");
        Assert.True(Assert.Single(facts.CallsOf("$service.Stop")).ShouldProcess);
        ScriptFacts.Call wait = Assert.Single(facts.CallsOf("$service.WaitForStatus"));
        Assert.Equal(["Stopped", "[TimeSpan]::FromSeconds($StopTimeoutSec)"], wait.Arguments);
        ScriptFacts.Call delete = Assert.Single(facts.CallsOf("sc.exe"), call => call.Arguments[0] == "delete");
        Assert.Equal(["delete", "$ServiceName"], delete.Arguments);
        Assert.True(delete.ShouldProcess && delete.ExitCodeChecked && delete.Line > wait.Line, delete.ToString());
    }

    [Fact]
    public async Task Uninstall_NotInstalled_StopsAndDeletesNothing()
    {
        ScriptFacts facts = await FactsOf(Uninstall);

        ScriptFacts.Call lookup = Assert.Single(facts.CallsOf("Get-Service"), call => call.Arguments.Contains("SilentlyContinue"));
        Assert.Equal("$ServiceName", ArgumentOf(lookup, "-Name"));
        Assert.All(facts.Calls.Where(call => call.Name is "$service.Stop" or "$service.WaitForStatus" || (call.Name == "sc.exe" && call.Arguments[0] == "delete")),
            call => Assert.Contains("not: $null -eq $service", call.Conditions));

        // sc.exe delete's check lets 1060 (no such service) through: a service deleted in the meantime is no error.
        ScriptFacts.Call check = Assert.Single(facts.CallsOf("Assert-NativeSuccess"), call => call.Arguments[0] == "sc.exe delete");
        Assert.Contains("1060", ArgumentOf(check, "-Allowed"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Uninstall_RemovesTheEventSource_OnlyWithRemoveEventSource_AndWhenItExists()
    {
        ScriptFacts facts = await FactsOf(Uninstall);

        Assert.Equal("SwitchParameter", facts.ParameterNamed("RemoveEventSource").Type);
        ScriptFacts.Call delete = Assert.Single(facts.CallsOf("[System.Diagnostics.EventLog]::DeleteEventSource"));
        Assert.Equal(["$ServiceName"], delete.Arguments);
        Assert.Contains("$RemoveEventSource", delete.Conditions);
        Assert.Contains("[System.Diagnostics.EventLog]::SourceExists($ServiceName)", delete.Conditions);
    }

    [Theory]
    [InlineData(Install, "-InstallFolder /opt/ember -WhatIf", "install-service.ps1 is Windows only: it installs Ember as a Windows service. On Linux use deploy/systemd/ember.service.")]
    [InlineData(Uninstall, "-RemoveEventSource -WhatIf", "uninstall-service.ps1 is Windows only: it removes Ember's Windows service. On Linux use systemctl disable --now ember.")]
    public async Task Script_WhatIfOnLinux_StopsWithWindowsOnly_BeforeAnyStep(string script, string arguments, string message)
    {
        // #Requires -RunAsAdministrator has no effect off Windows (as root or not), so the script's own check is what stops it.
        string command = $$"""
            try { & '{{Path.Combine(Folder, script)}}' {{arguments}}; 'completed' }
            catch { ConvertTo-Json -Compress -InputObject ([ordered]@{ id = $_.FullyQualifiedErrorId; type = $_.Exception.GetType().FullName; message = $_.Exception.Message }) }
            """;
        ProcessResult run = await PowerShellTool.RunAsync(["-Command", command], RunTimeout);

        Assert.True(run.ExitCode == 0, $"pwsh failed ({run.ExitCode}):\n{run.Stderr}\n{run.Stdout}");
        Assert.DoesNotContain("What if:", run.Stdout, StringComparison.Ordinal);
        using JsonDocument error = JsonDocument.Parse(run.Stdout.Trim().Split('\n')[^1]);
        Assert.Equal($"WindowsOnly,{script}", error.RootElement.GetProperty("id").GetString());
        Assert.Equal(typeof(PlatformNotSupportedException).FullName, error.RootElement.GetProperty("type").GetString());
        Assert.Equal(message, error.RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public async Task EventLogSource_OfTheHost_IsTheServiceNameTheInstallScriptRegisters()
    {
        var services = new ServiceCollection();
#pragma warning disable CA1416 // EventLogSettings is a plain options class on every OS; only the logger that reads it needs Windows.
        EmberHost.UseServiceEventLogSource(services);
        await using ServiceProvider provider = services.BuildServiceProvider();
        string? source = provider.GetRequiredService<IOptions<EventLogSettings>>().Value.SourceName;
#pragma warning restore CA1416

        Assert.Equal(EmberHost.ServiceName, source);
        Assert.Equal(source, (await FactsOf(Install)).ParameterNamed("ServiceName").Default);
    }

    private static async Task<ScriptFacts> FactsOf(string script) => (await Facts.Value)[script];

    private static bool IsChange(ScriptFacts.Call call) =>
        ChangingCommands.Contains(call.Name, StringComparer.OrdinalIgnoreCase)
        || ChangingMethods.Any(method => call.Name.EndsWith(method, StringComparison.OrdinalIgnoreCase));

    private static string ArgumentOf(ScriptFacts.Call call, string parameter)
    {
        int index = Array.FindIndex(call.Arguments, argument => string.Equals(argument, parameter, StringComparison.OrdinalIgnoreCase));
        Assert.True(index >= 0 && index + 1 < call.Arguments.Length, $"No {parameter} value in: {call}");
        return call.Arguments[index + 1];
    }
}
