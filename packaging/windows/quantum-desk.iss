; Inno Setup 6 script: wraps the PyInstaller one-folder bundle (dist\quantum-desk\) into
; dist\quantum-desk-<version>-setup.exe. Build on Windows, after PyInstaller (see README.md):
;   iscc /DAppVersion=0.1.0 packaging\windows\quantum-desk.iss
; Per-user install by default (no admin rights needed on lab machines); an admin can choose
; "install for all users" in the dialog.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Quantum Desk"
#define AppExe "quantum-desk.exe"

[Setup]
; A fixed AppId keeps upgrades and uninstall working across versions: never change it.
AppId={{C4FC2FEA-F4E7-4E4A-8EE5-75D294273162}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=The Quantum Desk developers
DefaultDirName={autopf}\Quantum Desk
DefaultGroupName={#AppName}
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=quantum-desk-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ChangesAssociations=yes
UninstallDisplayIcon={app}\{#AppExe}

[Files]
Source: "..\..\dist\quantum-desk\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{group}\Uninstall {#AppName}"; Filename: "{uninstallexe}"

[Registry]
; .qasm opens in Quantum Desk ("Open with" list plus a ProgID; HKA = HKCU or HKLM by install mode).
Root: HKA; Subkey: "Software\Classes\.qasm\OpenWithProgids"; ValueType: string; ValueName: "QuantumDesk.qasm"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.qasm"; ValueType: string; ValueName: "Content Type"; ValueData: "text/x-qasm"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\QuantumDesk.qasm"; ValueType: string; ValueName: ""; ValueData: "OpenQASM program"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\QuantumDesk.qasm\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKA; Subkey: "Software\Classes\QuantumDesk.qasm\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""

[Run]
Filename: "{app}\{#AppExe}"; Description: "Start {#AppName}"; Flags: nowait postinstall skipifsilent
