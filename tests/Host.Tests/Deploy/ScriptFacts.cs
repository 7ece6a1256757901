using System.Text.Json;
using Ember.Host.Tests.Infrastructure;
using Ember.Tests.Shared;

namespace Ember.Host.Tests.Deploy;

/// <summary>
/// What PowerShell's own parser finds in a script (<c>ScriptFacts.ps1</c> walks the AST of
/// <c>[System.Management.Automation.Language.Parser]::ParseFile</c>): parse errors, requirements, parameters, and every
/// command and method call with its arguments and the conditions it runs under.
/// </summary>
/// <param name="Path">The script.</param>
/// <param name="ParseErrors">The parser's errors, "line N: message".</param>
/// <param name="Synopsis">The comment-based help's synopsis (what <c>Get-Help</c> shows); <see langword="null"/> when PowerShell finds no help.</param>
/// <param name="DocumentedParameters">The parameters the help has a <c>.PARAMETER</c> for (PowerShell upper-cases them).</param>
/// <param name="Statements">How many statements the script's body has.</param>
/// <param name="RequiresElevation">Whether <c>#Requires -RunAsAdministrator</c> is set.</param>
/// <param name="SupportsShouldProcess">Whether <c>[CmdletBinding(SupportsShouldProcess)]</c> is set.</param>
/// <param name="Parameters">The script's parameters.</param>
/// <param name="Assignments">The assignments of the script's body (not of its functions) to a value.</param>
/// <param name="Strings">Every string literal, expandable ones as written.</param>
/// <param name="Calls">Every command (splatted hashtables as <c>-Key value</c> pairs) and method call.</param>
/// <param name="Functions">The functions the script defines.</param>
internal sealed record ScriptFacts(
    string Path,
    string[] ParseErrors,
    string? Synopsis,
    string[] DocumentedParameters,
    int Statements,
    bool RequiresElevation,
    bool SupportsShouldProcess,
    ScriptFacts.Parameter[] Parameters,
    ScriptFacts.Assignment[] Assignments,
    string[] Strings,
    ScriptFacts.Call[] Calls,
    ScriptFacts.Function[] Functions)
{
    private static readonly string Probe = System.IO.Path.Combine(ReadmeHostFixture.RepositoryRoot, "tests", "Host.Tests", "Deploy", "ScriptFacts.ps1");
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Parses the scripts in one pwsh run.</summary>
    /// <param name="scripts">The scripts' paths.</param>
    /// <returns>Their facts, by file name.</returns>
    public static async Task<IReadOnlyDictionary<string, ScriptFacts>> ReadAsync(params string[] scripts)
    {
        ProcessResult run = await PowerShellTool.RunAsync(["-File", Probe, .. scripts], TimeSpan.FromSeconds(120));
        Assert.True(run.ExitCode == 0, $"ScriptFacts.ps1 failed ({run.ExitCode}):\n{run.Stderr}\n{run.Stdout}");
        ScriptFacts[] facts = JsonSerializer.Deserialize<ScriptFacts[]>(run.Stdout, Json)!;
        return facts.ToDictionary(fact => System.IO.Path.GetFileName(fact.Path));
    }

    /// <summary>Gets the parameter of that name.</summary>
    /// <param name="name">The name, without <c>$</c>.</param>
    /// <returns>The parameter; the test fails when there is none.</returns>
    public Parameter ParameterNamed(string name) =>
        Assert.Single(Parameters, parameter => string.Equals(parameter.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Gets the calls of that command or method (<c>sc.exe</c>, <c>[System.Diagnostics.EventLog]::CreateEventSource</c>).</summary>
    /// <param name="name">The command's name or the method's target and name.</param>
    /// <returns>The calls, in the order found.</returns>
    public IEnumerable<Call> CallsOf(string name) =>
        Calls.Where(call => string.Equals(call.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>A parameter of the script.</summary>
    /// <param name="Name">Its name, without <c>$</c>.</param>
    /// <param name="Type">Its type's name (<c>String</c>, <c>SwitchParameter</c>).</param>
    /// <param name="Default">Its default: a literal's value, else the expression's text; <see langword="null"/> when none.</param>
    /// <param name="Mandatory">Whether it is mandatory.</param>
    internal sealed record Parameter(string Name, string Type, string? Default, bool Mandatory);

    /// <summary>An assignment of the script's body.</summary>
    /// <param name="Variable">The variable, without <c>$</c>.</param>
    /// <param name="Value">A literal's value, else the expression's text.</param>
    internal sealed record Assignment(string Variable, string Value);

    /// <summary>A command or method call.</summary>
    /// <param name="Name">The command's name, or the method's target and name (<c>[Type]::Member</c>, <c>$variable.Member</c>).</param>
    /// <param name="Arguments">Its arguments: literals' values, <c>-Name</c> for a parameter, else the text.</param>
    /// <param name="Line">Its line.</param>
    /// <param name="Conditions">The if-conditions it runs under, innermost first; <c>not: c</c> for an else or a later clause.</param>
    /// <param name="ShouldProcess">Whether one of those conditions is a <c>$PSCmdlet.ShouldProcess(…)</c> call, so that -WhatIf skips it.</param>
    /// <param name="ExitCodeChecked">Whether the next statement checks <c>$LASTEXITCODE</c> (itself, or through a function that reads it).</param>
    internal sealed record Call(string Name, string[] Arguments, int Line, string[] Conditions, bool ShouldProcess, bool ExitCodeChecked)
    {
        /// <inheritdoc />
        public override string ToString() => $"line {Line}: {Name} {string.Join(' ', Arguments)}";
    }

    /// <summary>A function the script defines.</summary>
    /// <param name="Name">Its name.</param>
    /// <param name="ReadsLastExitCode">Whether its body reads <c>$LASTEXITCODE</c>.</param>
    /// <param name="Throws">Whether its body has a <c>throw</c>.</param>
    internal sealed record Function(string Name, bool ReadsLastExitCode, bool Throws);
}
