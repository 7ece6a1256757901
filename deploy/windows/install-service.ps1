<#
.SYNOPSIS
    Installs Ember as a Windows service: the event-log source, the service, its recovery options, its account's
    folder rights; then starts it and waits until /readyz answers.

.DESCRIPTION
    Publish first, then point -InstallFolder at the output:

        dotnet publish src/Host -c Release -p:OrtGenAIFlavor=DirectML -o C:\Ember
        copy runtime.json C:\Ember\

    The script changes nothing until it has checked that Ember.Host.exe and the configuration file exist and that
    no service of that name is installed (run uninstall-service.ps1 first to reinstall). Then, each step under
    ShouldProcess (-WhatIf lists them, -Confirm asks):

    1. The event-log source (Application log, source = -ServiceName) when it is missing. The host logs under the
       source EmberHost.ServiceName ("Ember"), as ServiceBase does; the service account could not create it.
    2. The service (New-Service), its command line being
           "<InstallFolder>\Ember.Host.exe" --Batch:Folder "<StateFolder>\batch" [--config "<Config>"]
       then its account (sc.exe config obj=) and, for AutomaticDelayedStart, its start type.
    3. Recovery: restart after 5 s, 5 s, then 30 s, the failure count reset after a day
       (sc.exe failure ... reset= 86400 actions= restart/5000/restart/5000/restart/30000), and failure actions for
       a stop with a non-zero exit code too (sc.exe failureflag ... 1).
    4. Folder rights for the account (none for LocalSystem): read and execute on the install folder; modify on the
       state folder (the batch database) and on the "models" folder next to the configuration file, where a model
       with Generate set is written on first start.
    5. The start (Start-Service), then a wait for GET /readyz on the first of the configuration's Urls (a wildcard
       host is asked on loopback), or on http://127.0.0.1:8787 when the file sets none.

.PARAMETER InstallFolder
    The folder `dotnet publish` wrote: it must hold Ember.Host.exe (and runtime.json unless -Config is given).

.PARAMETER ServiceName
    The service's name, and the event-log source's. Default Ember (EmberHost.ServiceName). The host logs under the
    source Ember whatever the service is called, so a second instance under another name logs there too (install the
    first, or create that source).

.PARAMETER DisplayName
    The name the Services console shows.

.PARAMETER Description
    The description the Services console shows.

.PARAMETER StartMode
    Automatic (default), AutomaticDelayedStart, Manual or Disabled. A Disabled service is not started.

.PARAMETER Account
    The account the service runs as, one without a password: default the virtual account NT SERVICE\<ServiceName>;
    also LocalSystem, NT AUTHORITY\LocalService, NT AUTHORITY\NetworkService or a group managed service account
    (DOMAIN\name$).

.PARAMETER Credential
    An account with a password instead of -Account. It needs the "Log on as a service" right.

.PARAMETER StateFolder
    The folder the service may write: the batch database goes in its "batch" folder. Default
    $env:ProgramData\<ServiceName>. Kept by uninstall-service.ps1.

.PARAMETER Config
    A configuration file other than <InstallFolder>\runtime.json, passed to the host as --config (an absolute
    path; a relative one is resolved against the current directory here).

.PARAMETER ReadyTimeoutSec
    How long to wait for /readyz after the start, in seconds (model loads can be slow). Default 300.

.PARAMETER NoStart
    Installs without starting.

.EXAMPLE
    .\deploy\windows\install-service.ps1 -InstallFolder C:\Ember -WhatIf

.EXAMPLE
    .\deploy\windows\install-service.ps1 -InstallFolder C:\Ember -StartMode AutomaticDelayedStart -Config D:\ember\runtime.json

.NOTES
    Stop timeout. A stop drains running requests for up to Host:ShutdownTimeout (default 00:05:00) before the host
    unloads the models. Windows has no per-service timeout for an ordinary stop: the Service Control Manager waits
    for a service in STOP_PENDING however long it takes, and the waiting is the client's (uninstall-service.ps1
    waits -StopTimeoutSec, default 330 s, longer than the drain, like the systemd unit's TimeoutStopSec=330).
    At system shutdown every service together gets WaitToKillServiceTimeout (HKLM\SYSTEM\CurrentControlSet\Control,
    a few seconds by default), a machine-wide setting this script leaves alone. The per-service PreshutdownTimeout
    applies only to services that accept SERVICE_CONTROL_PRESHUTDOWN, which .NET's ServiceBase (and so
    UseWindowsService) does not, so this script does not set it: a machine shutdown cuts the drain short.
#>
#Requires -RunAsAdministrator
#Requires -Version 5.1
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory, Position = 0)]
    [ValidateNotNullOrEmpty()]
    [string] $InstallFolder,

    [ValidateNotNullOrEmpty()]
    [string] $ServiceName = 'Ember',

    [ValidateNotNullOrEmpty()]
    [string] $DisplayName = 'Ember',

    [string] $Description = 'Ember, a Workers AI text-generation server',

    [ValidateSet('Automatic', 'AutomaticDelayedStart', 'Manual', 'Disabled')]
    [string] $StartMode = 'Automatic',

    [ValidateNotNullOrEmpty()]
    [string] $Account,

    [System.Management.Automation.PSCredential] $Credential,

    [ValidateNotNullOrEmpty()]
    [string] $StateFolder,

    [ValidateNotNullOrEmpty()]
    [string] $Config,

    [ValidateRange(1, 3600)]
    [int] $ReadyTimeoutSec = 300,

    [switch] $NoStart
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

if ([System.Environment]::OSVersion.Platform -ne [System.PlatformID]::Win32NT) {
    $PSCmdlet.ThrowTerminatingError([System.Management.Automation.ErrorRecord]::new(
        [System.PlatformNotSupportedException]::new('install-service.ps1 is Windows only: it installs Ember as a Windows service. On Linux use deploy/systemd/ember.service.'),
        'WindowsOnly', [System.Management.Automation.ErrorCategory]::NotImplemented, $null))
}

# EmberHostOptions.DefaultUrl: where the host listens when the configuration sets no Urls.
$DefaultUrl = 'http://127.0.0.1:8787'

function Assert-NativeSuccess {
    # Native tools do not throw: check the exit code of the one just run.
    param([string] $Command, [object[]] $Output, [int[]] $Allowed = @())
    if ($LASTEXITCODE -ne 0 -and $Allowed -notcontains $LASTEXITCODE) {
        throw "$Command failed with exit code ${LASTEXITCODE}: $($Output -join ' ')"
    }
}

function Resolve-FullPath {
    # Relative to PowerShell's current location, which is not the process's current directory.
    param([string] $Path)
    return [System.IO.Path]::GetFullPath([System.IO.Path]::Combine((Get-Location -PSProvider FileSystem).ProviderPath, $Path))
}

function Get-ReadyUrl {
    # The first of the configuration's Urls, a wildcard host asked on loopback, with /readyz.
    param([string] $ConfigFile)
    $urls = $null
    try {
        $settings = Get-Content -LiteralPath $ConfigFile -Raw | ConvertFrom-Json
        if ($settings.PSObject.Properties['Urls']) {
            $urls = [string] $settings.Urls
        }
    }
    catch {
        Write-Warning "Could not read Urls from ${ConfigFile} ($($_.Exception.Message)); waiting on $DefaultUrl."
    }

    if ([string]::IsNullOrWhiteSpace($urls)) {
        $urls = $DefaultUrl
    }

    $first = ($urls -split ';')[0].Trim().TrimEnd('/')
    $first = $first -replace '^(https?://)(\*|\+|0\.0\.0\.0)(?=[:/]|$)', '${1}127.0.0.1'
    $first = $first -replace '^(https?://)\[::\](?=[:/]|$)', '${1}[::1]'
    return "$first/readyz"
}

$InstallFolder = Resolve-FullPath $InstallFolder
$exe = Join-Path $InstallFolder 'Ember.Host.exe'
if (-not (Test-Path -LiteralPath $exe -PathType Leaf)) {
    throw "No Ember.Host.exe in ${InstallFolder}: publish there first (dotnet publish src/Host -c Release -p:OrtGenAIFlavor=DirectML -o $InstallFolder)."
}

if ($PSBoundParameters.ContainsKey('Config')) {
    $configFile = Resolve-FullPath $Config
    if (-not (Test-Path -LiteralPath $configFile -PathType Leaf)) {
        throw "The configuration file $configFile (-Config) does not exist."
    }
}
else {
    $configFile = Join-Path $InstallFolder 'runtime.json'
    if (-not (Test-Path -LiteralPath $configFile -PathType Leaf)) {
        throw "No runtime.json in ${InstallFolder}: copy it there, or pass -Config <file>."
    }
}

if ($PSBoundParameters.ContainsKey('Account') -and $PSBoundParameters.ContainsKey('Credential')) {
    throw 'Pass -Account (an account without a password) or -Credential, not both.'
}

if ($Credential) {
    $Account = $Credential.UserName
}
elseif (-not $PSBoundParameters.ContainsKey('Account')) {
    $Account = "NT SERVICE\$ServiceName"
}

if (-not $PSBoundParameters.ContainsKey('StateFolder')) {
    $StateFolder = Join-Path $env:ProgramData $ServiceName
}

$StateFolder = Resolve-FullPath $StateFolder
$modelsFolder = Join-Path (Split-Path -Parent $configFile) 'models'
$isLocalSystem = $Account -in @('LocalSystem', '.\LocalSystem', 'NT AUTHORITY\SYSTEM')

if (Get-Service -Name $ServiceName -ErrorAction SilentlyContinue) {
    throw "A service named $ServiceName is already installed: run uninstall-service.ps1 -ServiceName $ServiceName first (it keeps $StateFolder)."
}

# 1. The event-log source.
if (-not [System.Diagnostics.EventLog]::SourceExists($ServiceName)) {
    if ($PSCmdlet.ShouldProcess("Application log", "Create the event-log source $ServiceName")) {
        $source = [System.Diagnostics.EventSourceCreationData]::new($ServiceName, 'Application')
        # .NET Framework's message file (on every supported Windows) renders the messages .NET writes; without it
        # the source would point into the PowerShell running this script.
        $messages = Join-Path $env:SystemRoot 'Microsoft.NET\Framework64\v4.0.30319\EventLogMessages.dll'
        if (Test-Path -LiteralPath $messages -PathType Leaf) {
            $source.MessageResourceFile = $messages
        }

        [System.Diagnostics.EventLog]::CreateEventSource($source)
    }
}
elseif (($log = [System.Diagnostics.EventLog]::LogNameFromSourceName($ServiceName, '.')) -ne 'Application') {
    Write-Warning "The event-log source $ServiceName already exists in the $log log, not Application; the host's events go there."
}

# 2. The service, its account and start type.
$binaryPath = "`"$exe`" --Batch:Folder `"$(Join-Path $StateFolder 'batch')`""
if ($PSBoundParameters.ContainsKey('Config')) {
    $binaryPath += " --config `"$configFile`""
}

if ($PSCmdlet.ShouldProcess($ServiceName, "Create the service: $binaryPath, start $StartMode, as $Account")) {
    $newService = @{
        Name           = $ServiceName
        BinaryPathName = $binaryPath
        DisplayName    = $DisplayName
        Description    = $Description
        StartupType    = $(if ($StartMode -eq 'AutomaticDelayedStart') { 'Automatic' } else { $StartMode })
    }
    if ($Credential) {
        $newService.Credential = $Credential
    }

    New-Service @newService | Out-Null

    if (-not $Credential -and -not $isLocalSystem) {
        $output = sc.exe config $ServiceName obj= $Account
        Assert-NativeSuccess 'sc.exe config obj=' $output
    }

    if ($StartMode -eq 'AutomaticDelayedStart') {
        $output = sc.exe config $ServiceName start= delayed-auto
        Assert-NativeSuccess 'sc.exe config start=' $output
    }
}

# 3. Recovery: restart on failure, and count a stop with a non-zero exit code as one.
if ($PSCmdlet.ShouldProcess($ServiceName, 'Set recovery: restart after 5 s, 5 s, 30 s; reset after 1 day')) {
    $output = sc.exe failure $ServiceName reset= 86400 actions= restart/5000/restart/5000/restart/30000
    Assert-NativeSuccess 'sc.exe failure' $output
    $output = sc.exe failureflag $ServiceName 1
    Assert-NativeSuccess 'sc.exe failureflag' $output
}

# 4. Folder rights: read on the program, modify on what it writes.
if (-not $isLocalSystem) {
    if ($PSCmdlet.ShouldProcess($InstallFolder, "Grant $Account read and execute")) {
        $output = icacls $InstallFolder /grant "${Account}:(OI)(CI)RX" /Q
        Assert-NativeSuccess 'icacls (install folder)' $output
    }

    foreach ($folder in @($StateFolder, $modelsFolder)) {
        if ($PSCmdlet.ShouldProcess($folder, "Create if missing, grant $Account modify")) {
            New-Item -ItemType Directory -Path $folder -Force | Out-Null
            $output = icacls $folder /grant "${Account}:(OI)(CI)M" /Q
            Assert-NativeSuccess "icacls ($folder)" $output
        }
    }
}
elseif ($PSCmdlet.ShouldProcess($StateFolder, 'Create if missing')) {
    New-Item -ItemType Directory -Path $StateFolder -Force | Out-Null
}

# 5. Start, and wait until the models are loaded.
if ($NoStart -or $StartMode -eq 'Disabled') {
    Write-Host "Installed $ServiceName; not started."
    return
}

if ($PSCmdlet.ShouldProcess($ServiceName, 'Start the service and wait for /readyz')) {
    $hint = "See the Application event log (source $ServiceName), or run `"$exe`" from a shell for the reason on standard error."
    try {
        Start-Service -Name $ServiceName
    }
    catch {
        throw "$ServiceName did not start: $($_.Exception.Message) $hint"
    }

    $readyUrl = Get-ReadyUrl $configFile
    $deadline = [DateTime]::UtcNow.AddSeconds($ReadyTimeoutSec)
    Write-Host "Started $ServiceName; waiting up to $ReadyTimeoutSec s for $readyUrl."
    while ($true) {
        try {
            $response = Invoke-WebRequest -Uri $readyUrl -UseBasicParsing -TimeoutSec 5
            if ($response.StatusCode -eq 200) {
                Write-Host "$ServiceName is ready: $readyUrl answered 200."
                break
            }
        }
        catch {
            # Not listening yet, or 503 while the models load.
        }

        if ((Get-Service -Name $ServiceName).Status -eq 'Stopped') {
            throw "$ServiceName stopped before $readyUrl answered. $hint"
        }

        if ([DateTime]::UtcNow -gt $deadline) {
            throw "$readyUrl did not answer 200 within $ReadyTimeoutSec s; $ServiceName is $((Get-Service -Name $ServiceName).Status). $hint"
        }

        Start-Sleep -Seconds 2
    }
}
