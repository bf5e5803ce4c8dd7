/*
 * true.c - does nothing and exits with 0: the smallest program, for
 * measuring spawn and wait (spawnloop) without any output in the way.
 */
int main(void)
{
    return 0;
}
