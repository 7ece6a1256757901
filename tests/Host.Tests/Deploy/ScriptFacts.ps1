<#
.SYNOPSIS
    Parses PowerShell scripts with the real parser and writes, as JSON, what WindowsServiceScriptsTests asserts:
    parse errors, comment-based help, #Requires, [CmdletBinding], parameters and their defaults, assignments, string literals, and every
    command and method call with its arguments, the if-conditions around it, whether it runs under ShouldProcess and
    whether the statement after it checks the exit code.
#>
param([Parameter(Mandatory, ValueFromRemainingArguments)] [string[]] $Path)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

function ConvertTo-ArgumentText([System.Management.Automation.Language.Ast] $Node) {
    switch ($Node) {
        { $_ -is [System.Management.Automation.Language.StringConstantExpressionAst] } { return $_.Value }
        { $_ -is [System.Management.Automation.Language.ExpandableStringExpressionAst] } { return $_.Value }
        { $_ -is [System.Management.Automation.Language.CommandParameterAst] } { return '-' + $_.ParameterName }
        { $_ -is [System.Management.Automation.Language.ConstantExpressionAst] } { return [string] $_.Value }
        default { return $_.Extent.Text }
    }
}

function Get-Conditions([System.Management.Automation.Language.Ast] $Node) {
    # The if-conditions the node runs under, innermost first; "not: c" for an else or a later clause.
    $conditions = [System.Collections.Generic.List[string]]::new()
    for ($child = $Node; $null -ne $child.Parent; $child = $child.Parent) {
        $parent = $child.Parent
        if ($parent -isnot [System.Management.Automation.Language.IfStatementAst]) {
            continue
        }

        foreach ($clause in $parent.Clauses) {
            if ([object]::ReferenceEquals($clause.Item2, $child)) {
                $conditions.Add($clause.Item1.Extent.Text)
                break
            }

            if ([object]::ReferenceEquals($clause.Item1, $child)) {
                # The node is in this clause's condition: only the clauses before it have been found false.
                break
            }

            $conditions.Add('not: ' + $clause.Item1.Extent.Text)
        }
    }

    return , $conditions.ToArray()
}

function Test-ExitCodeChecked([System.Management.Automation.Language.Ast] $Node, [System.Management.Automation.Language.Ast] $Root) {
    # True when the statement after the one holding the node checks the exit code: it calls a function that reads
    # $LASTEXITCODE, or it is an if whose first condition reads $LASTEXITCODE.
    $checkers = @($Root.FindAll({ param($n) $n -is [System.Management.Automation.Language.FunctionDefinitionAst] -and
                $null -ne $n.Body.Find({ param($m) $m -is [System.Management.Automation.Language.VariableExpressionAst] -and $m.VariablePath.UserPath -eq 'LASTEXITCODE' }, $true) }, $true) |
            ForEach-Object Name)
    for ($statement = $Node; $null -ne $statement.Parent; $statement = $statement.Parent) {
        $parent = $statement.Parent
        if ($parent -is [System.Management.Automation.Language.StatementBlockAst] -or $parent -is [System.Management.Automation.Language.NamedBlockAst]) {
            $statements = @($parent.Statements)
            $index = [array]::IndexOf($statements, $statement)
            if ($index -lt 0 -or $index + 1 -ge $statements.Count) {
                return $false
            }

            $next = $statements[$index + 1]
            if ($next -is [System.Management.Automation.Language.PipelineAst]) {
                $first = $next.PipelineElements[0]
                return $first -is [System.Management.Automation.Language.CommandAst] -and $checkers -contains $first.GetCommandName()
            }

            if ($next -is [System.Management.Automation.Language.IfStatementAst]) {
                return $null -ne $next.Clauses[0].Item1.Find({ param($m) $m -is [System.Management.Automation.Language.VariableExpressionAst] -and $m.VariablePath.UserPath -eq 'LASTEXITCODE' }, $true)
            }

            return $false
        }
    }

    return $false
}

function Get-Splat([string] $Name, [System.Management.Automation.Language.Ast] $Root) {
    # The keys and values of "$Name = @{...}" as -Key value pairs.
    $pairs = [System.Collections.Generic.List[string]]::new()
    $assignment = $Root.Find({ param($n) $n -is [System.Management.Automation.Language.AssignmentStatementAst] -and
            $n.Left.Extent.Text -eq "`$$Name" -and $n.Right.Extent.Text.StartsWith('@{') }, $true)
    if ($assignment) {
        $table = $assignment.Right.Find({ param($n) $n -is [System.Management.Automation.Language.HashtableAst] }, $true)
        foreach ($pair in $table.KeyValuePairs) {
            $pairs.Add('-' + (ConvertTo-ArgumentText $pair.Item1))
            $pairs.Add($pair.Item2.Extent.Text)
        }
    }

    return , $pairs.ToArray()
}

function Get-Call([System.Management.Automation.Language.Ast] $Node, [string] $Name, [string[]] $Arguments, [System.Management.Automation.Language.Ast] $Root) {
    $conditions = Get-Conditions $Node
    [ordered]@{
        name            = $Name
        arguments       = $Arguments
        line            = $Node.Extent.StartLineNumber
        conditions      = $conditions
        shouldProcess   = @($conditions | Where-Object { $_ -notlike 'not: *' -and $_ -match '\$PSCmdlet\.ShouldProcess\(' }).Count -gt 0
        exitCodeChecked = Test-ExitCodeChecked $Node $Root
    }
}

$facts = foreach ($file in $Path) {
    if (-not (Test-Path -LiteralPath $file -PathType Leaf)) {
        throw "No script at $file."
    }

    $tokens = $null
    $errors = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseFile($file, [ref] $tokens, [ref] $errors)

    $binding = $ast.ParamBlock.Attributes | Where-Object { $_.TypeName.Name -eq 'CmdletBinding' } | Select-Object -First 1
    $shouldProcess = $null -ne $binding -and @($binding.NamedArguments | Where-Object {
            $_.ArgumentName -eq 'SupportsShouldProcess' -and ($_.ExpressionOmitted -or $_.Argument.Extent.Text -eq '$true') }).Count -gt 0

    $parameters = @(foreach ($parameter in $ast.ParamBlock.Parameters) {
            [ordered]@{
                name      = $parameter.Name.VariablePath.UserPath
                type      = $parameter.StaticType.Name
                default   = if ($parameter.DefaultValue) { ConvertTo-ArgumentText $parameter.DefaultValue } else { $null }
                mandatory = $null -ne ($parameter.Attributes | Where-Object { $_.TypeName.Name -eq 'Parameter' -and
                        @($_.NamedArguments | Where-Object ArgumentName -EQ 'Mandatory').Count -gt 0 })
            }
        })

    # Assignments in the script's own body (not in functions): variable = value.
    $assignments = @(foreach ($statement in $ast.EndBlock.Statements) {
            if ($statement -is [System.Management.Automation.Language.AssignmentStatementAst] -and
                $statement.Right -is [System.Management.Automation.Language.CommandExpressionAst]) {
                [ordered]@{ variable = $statement.Left.Extent.Text.TrimStart('$'); value = ConvertTo-ArgumentText $statement.Right.Expression }
            }
        })

    $strings = @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.StringConstantExpressionAst] -or
                $n -is [System.Management.Automation.Language.ExpandableStringExpressionAst] }, $true) | ForEach-Object Value)

    $calls = [System.Collections.Generic.List[object]]::new()
    foreach ($command in $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] }, $true)) {
        $name = $command.GetCommandName()
        if (-not $name) {
            continue
        }

        $arguments = [System.Collections.Generic.List[string]]::new()
        foreach ($element in @($command.CommandElements | Select-Object -Skip 1)) {
            if ($element -is [System.Management.Automation.Language.VariableExpressionAst] -and $element.Splatted) {
                $arguments.AddRange([string[]] (Get-Splat $element.VariablePath.UserPath $ast))
            }
            else {
                $arguments.Add((ConvertTo-ArgumentText $element))
            }
        }

        $calls.Add((Get-Call $command $name $arguments.ToArray() $ast))
    }

    foreach ($invocation in $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.InvokeMemberExpressionAst] }, $true)) {
        $target = if ($invocation.Expression -is [System.Management.Automation.Language.TypeExpressionAst]) {
            '[' + $invocation.Expression.TypeName.FullName + ']::'
        }
        else {
            $invocation.Expression.Extent.Text + '.'
        }

        $arguments = @(foreach ($argument in @($invocation.Arguments | Where-Object { $null -ne $_ })) { ConvertTo-ArgumentText $argument })
        $calls.Add((Get-Call $invocation ($target + $invocation.Member.Extent.Text) $arguments $ast))
    }

    $functions = @(foreach ($function in $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $true)) {
            [ordered]@{
                name             = $function.Name
                readsLastExitCode = $null -ne $function.Body.Find({ param($n) $n -is [System.Management.Automation.Language.VariableExpressionAst] -and $n.VariablePath.UserPath -eq 'LASTEXITCODE' }, $true)
                throws           = $null -ne $function.Body.Find({ param($n) $n -is [System.Management.Automation.Language.ThrowStatementAst] }, $true)
            }
        })

    $help = $ast.GetHelpContent()

    [ordered]@{
        path                  = $file
        parseErrors           = @($errors | ForEach-Object { "line $($_.Extent.StartLineNumber): $($_.Message)" })
        synopsis              = if ($help) { $help.Synopsis } else { $null }
        documentedParameters  = @(if ($help) { $help.Parameters.Keys })
        statements            = @($ast.EndBlock.Statements).Count
        requiresElevation     = $null -ne $ast.ScriptRequirements -and $ast.ScriptRequirements.IsElevationRequired
        supportsShouldProcess = $shouldProcess
        parameters            = $parameters
        assignments           = $assignments
        strings               = $strings
        calls                 = $calls.ToArray()
        functions             = $functions
    }
}

ConvertTo-Json -InputObject @($facts) -Depth 8 -Compress
