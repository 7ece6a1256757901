<#
.SYNOPSIS
    Stops and deletes the Ember Windows service that install-service.ps1 created; with -RemoveEventSource, its
    event-log source too.

.DESCRIPTION
    Safe to run again: a service that is not installed (or an event-log source that does not exist) is reported and
    skipped. The stop waits for the host's drain (Host:ShutdownTimeout, default 5 minutes) for up to
    -StopTimeoutSec. The install folder, the state folder (the batch database) and their rights are kept: the
    virtual account's SID is derived from the service name, so a reinstall under the same name gets them back.
    -WhatIf lists the steps, -Confirm asks before each.

.PARAMETER ServiceName
    The service's name, and the event-log source's. Default Ember (EmberHost.ServiceName).

.PARAMETER RemoveEventSource
    Also deletes the event-log source (-ServiceName in the Application log). Its past events stay in the log but no
    longer render their messages.

.PARAMETER StopTimeoutSec
    How long to wait for the service to stop, in seconds. Default 330: longer than Host:ShutdownTimeout's default
    drain of 300 s, like the systemd unit's TimeoutStopSec=330. Raise it with Host:ShutdownTimeout.

.EXAMPLE
    .\deploy\windows\uninstall-service.ps1 -RemoveEventSource -WhatIf
#>
#Requires -RunAsAdministrator
#Requires -Version 5.1
[CmdletBinding(SupportsShouldProcess)]
param(
    [ValidateNotNullOrEmpty()]
    [string] $ServiceName = 'Ember',

    [switch] $RemoveEventSource,

    [ValidateRange(1, 86400)]
    [int] $StopTimeoutSec = 330
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

if ([System.Environment]::OSVersion.Platform -ne [System.PlatformID]::Win32NT) {
    $PSCmdlet.ThrowTerminatingError([System.Management.Automation.ErrorRecord]::new(
        [System.PlatformNotSupportedException]::new('uninstall-service.ps1 is Windows only: it removes Ember''s Windows service. On Linux use systemctl disable --now ember.'),
        'WindowsOnly', [System.Management.Automation.ErrorCategory]::NotImplemented, $null))
}

function Assert-NativeSuccess {
    # Native tools do not throw: check the exit code of the one just run.
    param([string] $Command, [object[]] $Output, [int[]] $Allowed = @())
    if ($LASTEXITCODE -ne 0 -and $Allowed -notcontains $LASTEXITCODE) {
        throw "$Command failed with exit code ${LASTEXITCODE}: $($Output -join ' ')"
    }
}

$service = Get-Service -Name $ServiceName -ErrorAction SilentlyContinue
if ($null -eq $service) {
    Write-Host "No service named $ServiceName is installed; nothing to stop or delete."
}
else {
    if ($service.Status -ne 'Stopped') {
        if ($PSCmdlet.ShouldProcess($ServiceName, "Stop the service, waiting up to $StopTimeoutSec s for its drain")) {
            if ($service.Status -ne 'StopPending') {
                $service.Stop()
            }

            try {
                $service.WaitForStatus('Stopped', [TimeSpan]::FromSeconds($StopTimeoutSec))
            }
            catch [System.ServiceProcess.TimeoutException] {
                throw "$ServiceName did not stop within $StopTimeoutSec s (it is $((Get-Service -Name $ServiceName).Status)); nothing was deleted. Wait, or raise -StopTimeoutSec."
            }
        }
    }

    if ($PSCmdlet.ShouldProcess($ServiceName, 'Delete the service')) {
        $output = sc.exe delete $ServiceName
        # 1060: already gone; 1072: already marked for deletion.
        Assert-NativeSuccess 'sc.exe delete' $output -Allowed 1060, 1072
        if ($LASTEXITCODE -eq 1072) {
            Write-Warning "$ServiceName is marked for deletion; it goes when the last handle to it (the Services console, a debugger) closes."
        }
        else {
            Write-Host "Deleted the service $ServiceName."
        }
    }
}

if ($RemoveEventSource) {
    if ([System.Diagnostics.EventLog]::SourceExists($ServiceName)) {
        if ($PSCmdlet.ShouldProcess("$([System.Diagnostics.EventLog]::LogNameFromSourceName($ServiceName, '.')) log", "Delete the event-log source $ServiceName")) {
            [System.Diagnostics.EventLog]::DeleteEventSource($ServiceName)
        }
    }
    else {
        Write-Host "No event-log source named $ServiceName; nothing to remove."
    }
}
