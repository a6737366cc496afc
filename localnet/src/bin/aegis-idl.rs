//! Builds the Anchor IDL of each program directory given, natively, through Anchor's
//! `idl-build` feature (what `anchor idl build` runs), and prints them as one JSON array.
use std::process::ExitCode;

fn main() -> ExitCode {
    let dirs: Vec<String> = std::env::args().skip(1).collect();
    if dirs.is_empty() {
        eprintln!("usage: aegis-idl PROGRAM_DIR...");
        return ExitCode::from(2);
    }
    // anchor-lang-idl runs `rustup toolchain install $RUSTUP_TOOLCHAIN` when that variable is
    // set (cargo sets it for `cargo run`), which can upgrade the toolchain behind our back, and
    // then passes a malformed `+toolchain` argument. The nested cargo must simply inherit the
    // caller's default toolchain.
    std::env::remove_var("RUSTUP_TOOLCHAIN");
    // The IDL build compiles the programs with the `idl-build` feature and its own RUSTFLAGS;
    // in the shared target dir that would invalidate the regular build's artifacts each time.
    if std::env::var_os("CARGO_TARGET_DIR").is_none() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/idl-build");
        std::env::set_var("CARGO_TARGET_DIR", dir);
    }
    let mut idls = Vec::new();
    for dir in &dirs {
        eprintln!("building IDL of {dir}");
        let built = anchor_lang_idl::build::IdlBuilder::new()
            .program_path(dir.into())
            .resolution(true)
            .skip_lint(true)
            .build();
        match built {
            Ok(idl) => idls.push(idl),
            Err(e) => {
                eprintln!("error: IDL build of {dir} failed: {e:#}");
                return ExitCode::FAILURE;
            }
        }
    }
    match serde_json::to_string(&idls) {
        Ok(s) => {
            println!("{s}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
