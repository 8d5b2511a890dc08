fn main() {
    println!("photo-backup demo");
}
