@echo off
rem Runs the npe command line on Windows, building it first when it is missing (or when NPE_REBUILD=1).
setlocal
set "root=%~dp0"
set "out=%root%artifacts\npe"
if "%NPE_REBUILD%"=="1" goto build
if exist "%out%\npe.dll" goto run
:build
echo Building npe (first run, or NPE_REBUILD=1)... 1>&2
dotnet build "%root%model\Npe\Npe.csproj" -c Release -o "%out%" --nologo -v quiet -clp:ErrorsOnly 1>&2
if errorlevel 1 exit /b 1
:run
dotnet "%out%\npe.dll" %*
